using EventSsm.Config;
using EventSsm.Detections;
using EventSsm.Model;
using EventSsm.Model.Head;
using EventSsm.Streaming;
using EventSsm.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Inference;

/// <summary>
/// The TorchSharp model as a <see cref="StreamingDetector"/> backend: frames are padded as <see cref="InputPadder"/>
/// pads (channels-last, in one copy), run as one chunk with the model's own state mode and step scale, and
/// post-processed by the runtime's one postprocess.
/// The recurrent states stay tensors between calls, outside every dispose scope.
/// </summary>
public sealed class TorchDetectorBackend : IDetectorBackend
{
    private readonly YoloXDetector _model;
    private readonly int _frameHeight;
    private readonly int _frameWidth;
    private Tensor[]? _states;

    /// <param name="config">The resolved config the model was built from (sensor size, downsampling, channels).</param>
    /// <param name="model">The detector, weights loaded, on the device it runs on.</param>
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

    /// <inheritdoc />
    public string Name => "torch";

    /// <inheritdoc />
    public int SensorHeight { get; }

    /// <inheritdoc />
    public int SensorWidth { get; }

    /// <inheritdoc />
    public bool Downsample { get; }

    /// <inheritdoc />
    public int Channels { get; }

    /// <inheritdoc />
    public double ConfidenceThreshold => _model.Options.ConfidenceThreshold;

    /// <inheritdoc />
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
        // Padded and channels-last in one copy (docs/MODEL.md §11.1, "Channels-last input").
        Tensor input = ChannelsLast.PaddedFrames(frames, count, Channels, _frameHeight, _frameWidth,
            _model.Options.InputHeight, _model.Options.InputWidth).to(device);
        (Tensor decoded, Tensor[] states) = _model.Forward(input, _states);
        Reset();
        _states = [.. states.Select(s => s.DetachFromDisposeScope())];
        return TensorPostprocess.Run(decoded, confidenceThreshold, nmsThreshold);
    }

    /// <inheritdoc />
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
