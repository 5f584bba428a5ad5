using EventSsm.Detections;

namespace EventSsm.Streaming;

/// <summary>
/// A detector that <see cref="StreamingDetector"/> feeds one representation frame (or one chunk) at a time, carrying
/// its recurrent state between calls: the TorchSharp model or an exported ONNX graph in ONNX Runtime. It describes the
/// input it expects, pads it itself and returns the one postprocess's detections (<see cref="Postprocess"/>).
/// </summary>
public interface IDetectorBackend : IDisposable
{
    /// <summary>torch or onnx (reports, benchmarks).</summary>
    string Name { get; }

    /// <summary>Sensor size of the recordings (the histogram is built at this size).</summary>
    int SensorHeight { get; }

    int SensorWidth { get; }

    /// <summary>The sensor histogram is halved (nearest-exact) before the model (gen4, docs/DATA.md §2.5).</summary>
    bool Downsample { get; }

    /// <summary>Representation channels: 2 polarities × time bins.</summary>
    int Channels { get; }

    /// <summary>The model's defaults (config or graph metadata) when the streaming options leave them open.</summary>
    double ConfidenceThreshold { get; }

    double NmsThreshold { get; }

    /// <summary>
    /// Runs <paramref name="count"/> frames (count, C, H, W) row-major float32 at the unpadded input size (the sensor
    /// size, halved when downsampled) as one sequence chunk of batch 1, continuing from the carried state, and returns
    /// each frame's detections in model-input pixels.
    /// </summary>
    IReadOnlyList<Detection>[] Detect(float[] frames, int count, double confidenceThreshold, double nmsThreshold);

    /// <summary>Forgets the carried state: the next call starts a sequence.</summary>
    void Reset();
}
