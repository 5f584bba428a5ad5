using EventSsm.Labels;

namespace EventSsm.Streaming;

/// <summary>The detections of one window [T − dt, T] as Prophesee boxes (t = T), and the time it took to compute them.</summary>
public sealed record WindowDetections(long EndUs, BoundingBox[] Boxes, TimeSpan Latency);
