using EventSsm.Datasets;
using EventSsm.Labels;
using EventSsm.Model;
using EventSsm.Model.Head;
using EventSsm.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Benchmarks;

/// <summary>
/// The benchmark's training step, repeatable: random event counts of L × B frames as the training loader hands them
/// over (<see cref="SampleBatch.InputOn"/>, so that their layout is measured), three boxes per frame
/// (<see cref="DetectorBenchmark.TrainTargets"/>), the forward, YOLOX's loss, the backward and an AdamW step. The unit
/// that the benchmark's training timing and the bench's <c>train-ab</c> tool repeat. Puts the model in training mode;
/// disposing frees the input and the optimiser's moments.
/// </summary>
internal sealed class TrainingStepLoop : IDisposable
{
    private readonly YoloXDetector _model;
    private readonly Tensor _x;
    private readonly Tensor _targets;
    private readonly AdamWOptimizer _optimizer;

    public TrainingStepLoop(YoloXDetector model, int length, int batch, Device device)
    {
        _model = model;
        int h = model.Options.InputHeight;
        int w = model.Options.InputWidth;
        using Tensor counts = randint(0, 5, [length, batch, model.Options.Backbone.InputChannels, h, w],
            ScalarType.Byte, device: CPU, generator: new Generator(3));
        using var sample = new SampleBatch(counts.clone(), new ObjectLabel[]?[length, batch], new long[length, batch],
            new bool[batch], new bool[length, batch], new int[batch]);
        _x = sample.InputOn(device);
        _targets = DetectorBenchmark.TrainTargets((long)length * batch, h, w, model.NumClasses).to(device);
        model.train();
        _optimizer = new AdamWOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), 1e-4);
    }

    /// <summary>The step's input (L, B, C, H, W), as <see cref="SampleBatch.InputOn"/> lays it out.</summary>
    public Tensor Input => _x;

    /// <summary>The step's targets (L·B, 3, 5).</summary>
    public Tensor Targets => _targets;

    /// <summary>The step's AdamW, for a caller that runs the step's parts itself (the bench's <c>profile</c>).</summary>
    public AdamWOptimizer Optimizer => _optimizer;

    /// <summary>One step; returns the total loss before the update.</summary>
    public double Step()
    {
        using DisposeScope scope = NewDisposeScope();
        _optimizer.ZeroGrad();
        (Tensor[] features, _) = _model.ForwardBackbone(_x);
        YoloXLosses losses = YoloXLoss.Compute(_model.ForwardDetect(features), _targets, _model.NumClasses);
        losses.Total.backward();
        _optimizer.Step();
        return losses.Total.item<float>();
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _targets.Dispose();
        _x.Dispose();
    }
}
