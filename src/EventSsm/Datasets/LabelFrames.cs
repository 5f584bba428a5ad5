using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// The label frames of one sequence and the representation window ends around them, as the original's
/// preprocessing computes them (docs/DATA.md §2.2–2.3).
/// </summary>
/// <param name="FrameTimestamps">Accepted label-frame times (µs).</param>
/// <param name="ReprTimestamps">Representation window ends (µs), ascending.</param>
/// <param name="ObjframeIdx2ReprIdx">Representation index of each label frame.</param>
/// <param name="Labels">Boxes of the accepted frames, concatenated in time order.</param>
/// <param name="ObjframeIdx2LabelIdx">First row in <paramref name="Labels"/> of each frame.</param>
/// <param name="BaseDeltaUs">The base label period used for the cadence test.</param>
public sealed record LabelFrames(
    long[] FrameTimestamps,
    long[] ReprTimestamps,
    long[] ObjframeIdx2ReprIdx,
    BoundingBox[] Labels,
    long[] ObjframeIdx2LabelIdx,
    long BaseDeltaUs);
