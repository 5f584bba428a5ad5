using EventSsm.Config;
using EventSsm.Detections;
using EventSsm.Model;
using EventSsm.Model.Head;
using EventSsm.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Inference;

/// <summary>
/// The TorchSharp model as a <see cref="StreamingDetector"/> backend: frames are padded (<see cref="InputPadder"/>), run
/// as one chunk with the model's own state mode and step scale, and post-processed by the runtime's one postprocess.
/// The recurrent states stay tensors between calls, outside every dispose scope.
/// </summary>
public sealed class TorchDetectorBackend : IDetectorBackend
{
    private readonly YoloXDetector _model;
    private readonly int _frameHeight;
    private readonly int _frameWidth;
    private Tensor[]? _states;

    /// <param name="config">The resolved config the model was built from (sensor size, downsampling, channels).</param>
    public TorchDetectorBackend(YoloXDetector model, ConfigNode config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        _model = model;
        int[] sensor = config.GetIntList("dataset.resolution_hw");
        (SensorHeight, SensorWidth) = (sensor[0], sensor[1]);
        Downsample = config.GetBool("dataset.downsample_by_factor_2");
        Channels = config.GetInt("model.backbone.input_channels");
        int[] hw = ConfigModifier.DataLoadingHw(config);
        (_frameHeight, _frameWidth) = (hw[0], hw[1]);
        if (_frameHeight > model.Options.InputHeight || _frameWidth > model.Options.InputWidth)
        {
            throw new ArgumentException(
                $"input {_frameHeight}×{_frameWidth} is larger than the model's {model.Options.InputHeight}×{model.Options.InputWidth}", nameof(config));
        }
    }

    public string Name => "torch";

    public int SensorHeight { get; }

    public int SensorWidth { get; }

    public bool Downsample { get; }

    public int Channels { get; }

    public double ConfidenceThreshold => _model.Options.ConfidenceThreshold;

    public double NmsThreshold => _model.Options.NmsThreshold;

    /// <summary>
    /// One chunk (count, 1, C, H, W) through the model; the new states outlive the per-call dispose scope. Inference
    /// mode: the states never leave this class, and nothing here needs autograd's bookkeeping.
    /// </summary>
    public IReadOnlyList<Detection>[] Detect(float[] frames, int count, double confidenceThreshold, double nmsThreshold)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.LongLength != (long)count * Channels * _frameHeight * _frameWidth)
        {
            throw new ArgumentException($"expected {count} frames of ({Channels}, {_frameHeight}, {_frameWidth}), got {frames.LongLength} values", nameof(frames));
        }
        using DisposeScope scope = NewDisposeScope();
        using IDisposable inference = inference_mode();
        Device device = _model.parameters().First().device;
        Tensor x = tensor(frames, [count, 1, Channels, _frameHeight, _frameWidth]).to(device);
        Tensor input = InputPadder.Pad(x, _model.Options.InputHeight, _model.Options.InputWidth);
        (Tensor decoded, Tensor[] states) = _model.Forward(input, _states);
        Reset();
        _states = [.. states.Select(s => s.DetachFromDisposeScope())];
        return TensorPostprocess.Run(decoded, confidenceThreshold, nmsThreshold);
    }

    public void Reset()
    {
        if (_states is null)
        {
            return;
        }
        foreach (Tensor s in _states)
        {
            s.Dispose();
        }
        _states = null;
    }

    /// <summary>Drops the states; the model belongs to the caller.</summary>
    public void Dispose() => Reset();
}
