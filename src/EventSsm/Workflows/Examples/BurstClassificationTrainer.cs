using System.Diagnostics;
using TorchSharp;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Examples;

/// <summary>Trains a <see cref="BurstClassifier"/> on fresh <see cref="BurstDataset"/> batches with Adam and cross-entropy.</summary>
public static class BurstClassificationTrainer
{
    /// <param name="progress">Called after every step with (step, loss).</param>
    /// <param name="options">Model size, training length and seed.</param>
    public static BurstTrainingResult Train(BurstTrainingOptions options, Action<int, double>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Steps, 1);
        var clock = Stopwatch.StartNew();
        // The Linear layers draw from the global generator; seed it so a run is reproducible.
        random.manual_seed(options.Seed);
        var generator = new Generator((ulong)options.Seed, CPU);
        var rng = new Random(options.Seed);
        // Gaps are ~0.1–4 around a mean of 1, so Δ = gap·exp(log_step) starts in [0.01, 1]·gap.
        var layerOptions = new S5LayerOptions { StateWidth = options.StateWidth, DtMin = 1e-2, DtMax = 1.0 };
        var model = new BurstClassifier(
            BurstDataset.FeatureCount, BurstDataset.ClassCount, options.Width, options.Depth, options.Variant, layerOptions, generator);
        (Tensor testX, Tensor testGaps, Tensor testY) = BurstDataset.Generate(options.TestSize, options.Length, new Random(options.Seed + 1_000_003));
        if (options.IgnoreTiming)
        {
            testGaps = ones_like(testGaps);
        }
        double initial = Accuracy(model, testX, testGaps, testY);

        using optim.Optimizer adam = optim.Adam(model.parameters(), options.LearningRate);
        var recent = new Queue<double>();
        for (int step = 1; step <= options.Steps; step++)
        {
            using DisposeScope scope = NewDisposeScope();
            model.train();
            (Tensor x, Tensor gaps, Tensor y) = BurstDataset.Generate(options.BatchSize, options.Length, rng);
            if (options.IgnoreTiming)
            {
                gaps = ones_like(gaps);
            }
            adam.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.Forward(x, gaps), y);
            loss.backward();
            adam.step();
            double value = loss.item<float>();
            recent.Enqueue(value);
            if (recent.Count > 20)
            {
                recent.Dequeue();
            }
            progress?.Invoke(step, value);
        }
        double accuracy = Accuracy(model, testX, testGaps, testY);
        return new BurstTrainingResult(accuracy, initial, recent.Average(), options.Steps, clock.Elapsed);
    }

    private static double Accuracy(BurstClassifier model, Tensor x, Tensor gaps, Tensor y)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        model.eval();
        Tensor predicted = model.Forward(x, gaps).argmax(1);
        return predicted.eq(y).to(ScalarType.Float64).mean().item<double>();
    }
}
