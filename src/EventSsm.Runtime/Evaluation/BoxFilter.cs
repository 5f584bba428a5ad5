using EventSsm.Labels;

namespace EventSsm.Evaluation;

/// <summary>
/// The Prophesee evaluation box filter (<c>io/box_filtering.py::filter_boxes</c>), applied to ground truth and
/// detections alike (docs/DATA.md §4.4): keep a box iff <c>t &gt; SkipUs</c> (strict),
/// <c>fl32(w²) + fl32(h²) ≥ MinDiag²</c>, <c>w ≥ MinSide</c> and <c>h ≥ MinSide</c>, all in float32.
/// </summary>
public readonly record struct BoxFilter(int MinDiag, int MinSide, long SkipUs = BoxFilter.HalfSecondUs)
{
    /// <summary>The first half second is never evaluated (<c>half_sec_us = int(5e5)</c>).</summary>
    public const long HalfSecondUs = 500_000;

    /// <summary>
    /// The thresholds of <c>evaluation.py::evaluate_list</c> from sizes at sensor resolution (gen1 30/10, gen4 60/20),
    /// both halved (integer division) when the input was downsampled by 2 (RVT's gen4 setting gives 30/10 in
    /// half-resolution pixels). Negative sizes throw ArgumentOutOfRangeException.
    /// </summary>
    public static BoxFilter AtSensorResolution(int minDiag, int minSide, bool downsampledBy2, long skipUs = HalfSecondUs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minDiag);
        ArgumentOutOfRangeException.ThrowIfNegative(minSide);
        return downsampledBy2 ? new BoxFilter(minDiag / 2, minSide / 2, skipUs) : new BoxFilter(minDiag, minSide, skipUs);
    }

    /// <summary>
    /// Whether <paramref name="box"/> is large enough to be evaluated (diagonal and both sides at least the minimums).
    /// </summary>
    public bool Keeps(in BoundingBox box)
    {
        float w = box.W;
        float h = box.H;
        // NumPy computes w**2 + h**2 in float32 and compares with the integer diag² converted to float32.
        float diagSquare = (w * w) + (h * h);
        return box.T > SkipUs && diagSquare >= (float)(MinDiag * MinDiag) && w >= MinSide && h >= MinSide;
    }

    /// <summary>The kept boxes, in their original order.</summary>
    public BoundingBox[] Apply(ReadOnlySpan<BoundingBox> boxes)
    {
        int kept = 0;
        foreach (BoundingBox b in boxes)
        {
            if (Keeps(b))
            {
                kept++;
            }
        }
        var result = new BoundingBox[kept];
        int j = 0;
        foreach (BoundingBox b in boxes)
        {
            if (Keeps(b))
            {
                result[j++] = b;
            }
        }
        return result;
    }
}
