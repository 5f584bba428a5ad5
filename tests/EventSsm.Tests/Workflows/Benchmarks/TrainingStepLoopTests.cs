using EventSsm.Model;
using EventSsm.Workflows.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Workflows.Benchmarks;

public sealed class TrainingStepLoopTests
{
    [Fact]
    public void Step_OnEqualModels_GivesTheSameLossAndUpdatesTheWeights()
    {
        using YoloXDetector first = DetectorBenchmark.CreateModel(TestConfigs.Directory, "tiny", 64, 64);
        using YoloXDetector second = DetectorBenchmark.CreateModel(TestConfigs.Directory, "tiny", 64, 64);
        // The same weights without the global generator, which tests running in parallel draw from.
        second.load_state_dict(first.state_dict());
        using Tensor before = first.parameters().First().detach().clone();
        using var a = new TrainingStepLoop(first, length: 2, batch: 2, CPU);
        using var b = new TrainingStepLoop(second, length: 2, batch: 2, CPU);
        Assert.True(first.training);

        double lossA = a.Step();
        double lossB = b.Step();

        Assert.True(double.IsFinite(lossA) && lossA > 0, $"loss {lossA}");
        // Equal up to rounding: a test running beside this one may change libtorch's thread count between the steps.
        Assert.InRange(Math.Abs(lossA - lossB), 0, 1e-5 * lossA);
        Assert.False(before.eq(first.parameters().First()).all().item<bool>(), "the AdamW step left the first weight as it was");
        // The second step starts from the updated weights, so its loss is another number.
        Assert.NotEqual(lossA, a.Step());
    }
}
