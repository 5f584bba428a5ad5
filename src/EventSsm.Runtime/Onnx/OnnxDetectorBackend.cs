using EventSsm.Detections;
using EventSsm.Streaming;

namespace EventSsm.Onnx;

/// <summary>
/// An exported graph in ONNX Runtime as a <see cref="StreamingDetector"/> backend, with the input geometry and default
/// thresholds from the graph's metadata. A stream graph takes any number of frames, one call each; a chunk graph takes
/// exactly its L. NMS graphs end in Prophesee rows without the objectness the postprocess reports, so a backend needs a
/// graph that ends in head predictions.
/// </summary>
public sealed class OnnxDetectorBackend : IDetectorBackend
{
    private readonly OnnxDetector _detector;
    private readonly bool _ownsDetector;
    private readonly int _frameSize;

    public OnnxDetectorBackend(OnnxDetector detector, bool ownsDetector = true)
    {
        ArgumentNullException.ThrowIfNull(detector);
        if (detector.Info.Nms)
        {
            throw new OnnxModelException(detector.Info.Path, "is an NMS graph (output 'boxes'); streaming detection needs a graph that ends in head predictions (export without --nms)");
        }
        _detector = detector;
        _ownsDetector = ownsDetector;
        _frameSize = detector.Info.Channels * detector.Info.InputHeight * detector.Info.InputWidth;
    }

    /// <summary>Opens <paramref name="path"/> (see <see cref="OnnxDetector.Open"/>) and owns the session.</summary>
    public static OnnxDetectorBackend Open(string path, OnnxSessionSettings? settings = null) => new(OnnxDetector.Open(path, settings));

    public OnnxDetector Detector => _detector;

    public string Name => "onnx";

    public int SensorHeight => _detector.Info.SensorHeight;

    public int SensorWidth => _detector.Info.SensorWidth;

    public bool Downsample => _detector.Info.Downsample;

    public int Channels => _detector.Info.Channels;

    public double ConfidenceThreshold => _detector.Info.ConfidenceThreshold;

    public double NmsThreshold => _detector.Info.NmsThreshold;

    public IReadOnlyList<Detection>[] Detect(float[] frames, int count, double confidenceThreshold, double nmsThreshold)
    {
        ArgumentNullException.ThrowIfNull(frames);
        OnnxModelInfo info = _detector.Info;
        if (frames.LongLength != (long)count * _frameSize)
        {
            throw new OnnxModelException(info.Path,
                $"{frames.LongLength} input values for {count} frames, expected {count} × ({info.Channels}, {info.InputHeight}, {info.InputWidth})");
        }
        int width = 5 + info.NumClasses;
        if (info.Chunk)
        {
            if (count != info.Length)
            {
                throw new OnnxModelException(info.Path, $"chunk graph of L = {info.Length} fed {count} frames");
            }
            float[] head = _detector.Run(frames, [count, 1, info.Channels, info.InputHeight, info.InputWidth]);
            return Postprocess.Run(head, count, info.Anchors, width, confidenceThreshold, nmsThreshold);
        }
        var result = new IReadOnlyList<Detection>[count];
        float[] frame = count == 1 ? frames : new float[_frameSize];
        for (int t = 0; t < count; t++)
        {
            if (count > 1)
            {
                Array.Copy(frames, (long)t * _frameSize, frame, 0, _frameSize);
            }
            float[] head = _detector.Run(frame, [1, info.Channels, info.InputHeight, info.InputWidth]);
            result[t] = Postprocess.Run(head, 1, info.Anchors, width, confidenceThreshold, nmsThreshold)[0];
        }
        return result;
    }

    public void Reset() => _detector.Reset();

    public void Dispose()
    {
        if (_ownsDetector)
        {
            _detector.Dispose();
        }
    }
}
