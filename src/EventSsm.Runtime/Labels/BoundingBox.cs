namespace EventSsm.Labels;

/// <summary>
/// One Prophesee box: time (µs), top-left corner and size in pixels, class, confidence and track id
/// (docs/DATA.md §1.2). Detections use <see cref="ClassConfidence"/> as the COCO score (docs/DATA.md §4.3).
/// </summary>
public readonly record struct BoundingBox(
    long T,
    float X,
    float Y,
    float W,
    float H,
    uint ClassId,
    float ClassConfidence = 1f,
    uint TrackId = 0);
