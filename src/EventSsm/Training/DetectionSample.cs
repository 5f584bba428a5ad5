using EventSsm.Labels;

namespace EventSsm.Training;

/// <summary>
/// One label frame kept for logging by validation or training: the model input of that step (uint8 stacked histogram,
/// C×H×W before padding), its ground truth and the detections, in data-loading pixels.
/// </summary>
public sealed record DetectionSample(int Sequence, long TimeUs, byte[] Histogram, int Channels, int Height, int Width,
    BoundingBox[] GroundTruth, BoundingBox[] Detections);
