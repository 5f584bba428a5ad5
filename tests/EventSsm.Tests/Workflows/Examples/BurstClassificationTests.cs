using TorchSharp;
using EventSsm.Tensors;
using EventSsm.Workflows.Examples;
using static TorchSharp.torch;

namespace EventSsm.Tests.Workflows.Examples;

public sealed class BurstClassificationTests
{
    [Fact]
    public void Dataset_ClassesShareMeanGapAndFeatures_ButDifferInGapSpread()
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor features, Tensor gaps, Tensor labels) = BurstDataset.Generate(600, 256, new Random(1));
        Assert.Equal(new long[] { 600, 256, BurstDataset.FeatureCount }, features.shape);
        var spreads = new double[BurstDataset.ClassCount];
        for (int c = 0; c < BurstDataset.ClassCount; c++)
        {
            Tensor mask = labels.eq(Scalars.Of(c));
            Tensor g = gaps[mask];
            Assert.InRange(g.mean().item<float>(), 0.95, 1.05);
            Assert.InRange(features[mask][.., .., 0].mean().item<float>(), -0.05, 0.05);
            Assert.True(features[mask][.., .., 1].eq(Scalars.Of(1)).all().item<bool>());
            spreads[c] = g.std().item<float>();
        }
        // Poisson ≈ 1, bursts ≈ 1.5, regular ≈ 0.06: the timing alone separates the classes.
        Assert.True(spreads[2] < 0.1 && spreads[0] > 0.8 && spreads[1] > 1.2, string.Join(", ", spreads));
    }

    [Fact]
    public void Trainer_RunsAndReportsFiniteLossAndAccuracy()
    {
        var options = new BurstTrainingOptions { Steps = 3, BatchSize = 4, Length = 8, Width = 4, StateWidth = 4, Depth = 1, TestSize = 16 };
        var losses = new List<double>();
        BurstTrainingResult result = BurstClassificationTrainer.Train(options, (_, loss) => losses.Add(loss));
        Assert.Equal(3, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.InRange(result.TestAccuracy, 0.0, 1.0);
    }
}
