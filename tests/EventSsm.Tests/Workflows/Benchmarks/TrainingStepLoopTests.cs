using EventSsm.Model;
using EventSsm.Workflows.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Workflows.Benchmarks;

public sealed class TrainingStepLoopTests
{
    [Fact]
    public void Step_OnSameSeedModels_GivesTheSameLossAndUpdatesTheWeights()
    {
        manual_seed(0);
        using YoloXDetector first = DetectorBenchmark.CreateModel(TestConfigs.Directory, "tiny", 64, 64);
        manual_seed(0);
        using YoloXDetector second = DetectorBenchmark.CreateModel(TestConfigs.Directory, "tiny", 64, 64);
        using Tensor before = first.parameters().First().detach().clone();
        using var a = new TrainingStepLoop(first, length: 2, batch: 2, CPU);
        using var b = new TrainingStepLoop(second, length: 2, batch: 2, CPU);
        Assert.True(first.training);

        double lossA = a.Step();
        double lossB = b.Step();

        Assert.True(double.IsFinite(lossA) && lossA > 0, $"loss {lossA}");
        Assert.Equal(lossA, lossB);
        Assert.False(before.eq(first.parameters().First()).all().item<bool>(), "the AdamW step left the first weight as it was");
        // The second step starts from the updated weights, so its loss is another number.
        Assert.NotEqual(lossA, a.Step());
    }
}
