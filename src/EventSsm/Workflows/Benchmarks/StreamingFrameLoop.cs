using EventSsm.Model;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Benchmarks;

/// <summary>
/// Streaming frames on one input, one after another as <c>StreamingDetector</c> runs them: S5 states carried from
/// frame to frame, the postprocess included. The unit that the benchmark's streaming timings and the bench tools
/// repeat. Call it inside inference mode; disposing frees the last states.
/// </summary>
internal sealed class StreamingFrameLoop(YoloXDetector model, Tensor frame) : IDisposable
{
    private Tensor[]? _states;

    /// <summary>One frame: the forward from the carried states, the postprocess, the new states kept.</summary>
    public void Step()
    {
        using DisposeScope scope = NewDisposeScope();
        (Tensor decoded, Tensor[] next) = model.Forward(frame, _states, stateMode: S5StateMode.Carry);
        TensorPostprocess.Run(decoded, model.Options.ConfidenceThreshold, model.Options.NmsThreshold);
        foreach (Tensor s in next)
        {
            s.DetachFromDisposeScope();
        }
        DisposeStates();
        _states = next;
    }

    public void Dispose()
    {
        DisposeStates();
        _states = null;
    }

    private void DisposeStates()
    {
        foreach (Tensor s in _states ?? [])
        {
            s.Dispose();
        }
    }
}
