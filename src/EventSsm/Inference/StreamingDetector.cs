using System.Diagnostics;
using TorchSharp;
using TorchSharp.Utils;
using EventSsm.Config;
using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Representations;
using static TorchSharp.torch;

namespace EventSsm.Inference;

/// <summary>
/// Online detection: events go in as they arrive (time-sorted chunks of any size); each completed window
/// [T − dt, T] (T on the grid k·step) becomes a stacked histogram (gen4: at sensor size, then the 2× nearest-exact
/// downsample, docs/DATA.md §2.5), is zero-padded to the model size and runs through the model with L = 1,
/// carrying the recurrent states from window to window (an LSTM backbone always continues its (h, c), as RVT). In the original's <c>reference</c> state mode the carried state has
/// no effect (golden detector_micro README), so every window is then independent; in <c>carry</c> mode it matters and
/// <see cref="Reset"/> starts a new sequence. The original validates in chunks of L frames, where the S5 scan runs
/// across the chunk: <see cref="PushFrames"/> reproduces that exactly.
/// Boxes are the original's <c>to_prophesee</c> rows (x = x1, y = y1, w = x2 − x1, h = y2 − y1, class_confidence =
/// cls_conf), scaled back to sensor pixels when the input was downsampled.
/// </summary>
public sealed class StreamingDetector : IDisposable
{
    /// <summary>RVT's stacked-histogram count cutoff.</summary>
    private const int CountCutoff = 10;

    private readonly YoloXDetector _model;
    private readonly StreamingOptions _options;
    private readonly StackedHistogram _histogram;
    private readonly bool _downsample;
    private readonly double _confidence;
    private readonly double _nms;
    private readonly byte[] _sensorFrame;
    /// <summary>The model-input histogram bytes of the current window (downsampled sensor frame, or the sensor frame).</summary>
    private readonly byte[] _frameBytes;
    /// <summary>The same bytes as a (C, FrameHeight, FrameWidth) uint8 tensor, refilled every window.</summary>
    private readonly Tensor _frame;
    /// <summary>The zero-padded float32 model input (1, 1, C, H, W), reused: only its top-left frame region is rewritten.</summary>
    private readonly Tensor _input;
    private readonly Tensor _inputFrame;
    private Tensor[]? _states;
    private EventArray _pending;
    private long _lastTime = long.MinValue;
    private long _nextEnd = long.MinValue;

    public StreamingDetector(YoloXDetector model, ConfigNode config, StreamingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        _options = options ?? new StreamingOptions();
        _options.Validate();
        _model = model;
        int[] sensor = config.GetIntList("dataset.resolution_hw");
        _downsample = config.GetBool("dataset.downsample_by_factor_2");
        int channels = config.GetInt("model.backbone.input_channels");
        _histogram = new StackedHistogram(sensor[0], sensor[1], channels / 2, CountCutoff);
        int[] hw = ConfigModifier.DataLoadingHw(config);
        (FrameHeight, FrameWidth) = (hw[0], hw[1]);
        if (FrameHeight > model.Options.InputHeight || FrameWidth > model.Options.InputWidth)
        {
            throw new ArgumentException(
                $"input {FrameHeight}×{FrameWidth} is larger than the model's {model.Options.InputHeight}×{model.Options.InputWidth}", nameof(config));
        }
        _sensorFrame = new byte[_histogram.Channels * sensor[0] * sensor[1]];
        _frameBytes = _downsample ? new byte[Channels * FrameHeight * FrameWidth] : _sensorFrame;
        // Padding is right/bottom zeros (InputPadder.Pad), so the padded region of the reused input stays zero.
        Device device = model.parameters().First().device;
        _frame = zeros([Channels, FrameHeight, FrameWidth], ScalarType.Byte).DetachFromDisposeScope();
        _input = zeros([1, 1, Channels, model.Options.InputHeight, model.Options.InputWidth], float32, device).DetachFromDisposeScope();
        _inputFrame = _input[0, 0].narrow(1, 0, FrameHeight).narrow(2, 0, FrameWidth).DetachFromDisposeScope();
        _confidence = _options.ConfidenceThreshold ?? model.Options.ConfidenceThreshold;
        _nms = _options.NmsThreshold ?? model.Options.NmsThreshold;
        _pending = EventArray.Empty(sensor[1], sensor[0]);
    }

    /// <summary>Height of the representation fed to the model before padding (sensor height, halved for gen4).</summary>
    public int FrameHeight { get; }

    public int FrameWidth { get; }

    public int Channels => _histogram.Channels;

    /// <summary>Factor from model-input pixels to sensor pixels for the returned boxes.</summary>
    public float BoxScale => _downsample ? 2f : 1f;

    /// <summary>Adds events (time-sorted, later than everything pushed before) and returns every window they complete.</summary>
    public IReadOnlyList<WindowDetections> Push(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return [];
        }
        if (events.T[0] < _lastTime)
        {
            throw new ArgumentException($"events must arrive in time order: chunk starts at {events.T[0]} µs after an event at {_lastTime} µs", nameof(events));
        }
        if (_nextEnd == long.MinValue)
        {
            // The first grid point at or after the first event, as EventWindows.CoveringEnds.
            _nextEnd = Math.Max(_options.StepUs, CeilToStep(events.T[0]));
        }
        _pending = EventArray.Concat([_pending, events.Slice(0, events.Count)], _pending.Width, _pending.Height);
        _lastTime = events.T[events.Count - 1];
        var results = new List<WindowDetections>();
        // A window [T − dt, T] is complete once an event later than T has arrived.
        while (_lastTime > _nextEnd)
        {
            results.Add(EmitNext());
        }
        return results;
    }

    /// <summary>Ends the stream: returns the remaining windows up to the first grid point at or after the last event.</summary>
    public IReadOnlyList<WindowDetections> Flush()
    {
        var results = new List<WindowDetections>();
        if (_nextEnd == long.MinValue)
        {
            return results;
        }
        long last = CeilToStep(_lastTime);
        while (_nextEnd <= last)
        {
            results.Add(EmitNext());
        }
        return results;
    }

    /// <summary>
    /// Runs ready representation frames (L, C, H, W) (uint8 or float32, unpadded) as one chunk of L, as the original's
    /// validation does, continuing from the carried states; one result per frame with the chunk's latency shared.
    /// </summary>
    public IReadOnlyList<WindowDetections> PushFrames(Tensor frames, IReadOnlyList<long> endsUs)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(endsUs);
        if (frames.dim() != 4 || frames.shape[0] != endsUs.Count)
        {
            throw new ArgumentException($"frames must be (L, C, H, W) with one window end per frame, got ({string.Join(", ", frames.shape)}) and {endsUs.Count} ends", nameof(frames));
        }
        var watch = Stopwatch.StartNew();
        IReadOnlyList<Detection>[] detections = Run(frames.unsqueeze(1));
        TimeSpan each = watch.Elapsed / Math.Max(1, endsUs.Count);
        return [.. endsUs.Select((t, i) => new WindowDetections(t, ToBoxes(detections[i], t), each))];
    }

    /// <summary>Forgets the carried states and any buffered events: the next push starts a new sequence.</summary>
    public void Reset()
    {
        DisposeStates();
        _pending = EventArray.Empty(_pending.Width, _pending.Height);
        _lastTime = long.MinValue;
        _nextEnd = long.MinValue;
    }

    /// <summary>The model-input histogram (C, FrameHeight, FrameWidth) uint8 of one window's events.</summary>
    public byte[] BuildFrame(EventArray windowEvents)
    {
        FillFrameBytes(windowEvents);
        return (byte[])_frameBytes.Clone();
    }

    public void Dispose()
    {
        DisposeStates();
        _inputFrame.Dispose();
        _input.Dispose();
        _frame.Dispose();
    }

    private WindowDetections EmitNext()
    {
        long end = _nextEnd;
        var watch = Stopwatch.StartNew();
        int from = _pending.LowerBound(end - _options.WindowUs);
        int to = _pending.UpperBound(end);
        FillFrameBytes(_pending.Slice(from, to - from));
        using (TensorAccessor<byte> frame = _frame.data<byte>())
        {
            frame.CopyFrom(_frameBytes, 0, 0);
        }
        _inputFrame.copy_(_frame);                                       // uint8 → float32 into the padded input
        IReadOnlyList<Detection>[] detections = Run(_input);
        BoundingBox[] boxes = ToBoxes(detections[0], end);
        TimeSpan latency = watch.Elapsed;
        _nextEnd += _options.StepUs;
        // Keep only what later windows can still need.
        int keep = _pending.LowerBound(_nextEnd - _options.WindowUs);
        if (keep > 0)
        {
            _pending = _pending.Slice(keep, _pending.Count - keep);
        }
        return new WindowDetections(end, boxes, latency);
    }

    /// <summary>The window's histogram into <see cref="_frameBytes"/>.</summary>
    private void FillFrameBytes(EventArray windowEvents)
    {
        _histogram.Build(windowEvents, _sensorFrame);
        if (_downsample)
        {
            NearestExactDownsample.Half<byte>(_sensorFrame, Channels, _histogram.Height, _histogram.Width, _frameBytes);
        }
    }

    /// <summary>
    /// One chunk (L, 1, C, H, W) through the model; the new states outlive the per-chunk dispose scope. Inference mode:
    /// the states never leave this class, and nothing here needs autograd's bookkeeping.
    /// </summary>
    private IReadOnlyList<Detection>[] Run(Tensor x)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable inference = inference_mode();
        Tensor input = InputPadder.Pad(x, _model.Options.InputHeight, _model.Options.InputWidth);
        (Tensor decoded, Tensor[] states) = _model.Forward(input, _states);
        DisposeStates();
        _states = [.. states.Select(s => s.DetachFromDisposeScope())];
        return Postprocess.Run(decoded, _confidence, _nms);
    }

    private BoundingBox[] ToBoxes(IReadOnlyList<Detection> detections, long t)
    {
        float s = BoxScale;
        return [.. detections.Select(d => new BoundingBox(t, d.X1 * s, d.Y1 * s, (d.X2 - d.X1) * s, (d.Y2 - d.Y1) * s, (uint)d.ClassId, d.ClassConf))];
    }

    private long CeilToStep(long t) => t <= 0 ? 0 : (t + _options.StepUs - 1) / _options.StepUs * _options.StepUs;

    private void DisposeStates()
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
}
