namespace EventSsm.Datasets;

/// <summary>
/// The preprocessing label filters of a dataset (docs/DATA.md §2.1, §8.3), applied after the class map in this order:
/// crop to the sensor, size filter, and (train split only) the maximum width. The defaults are gen4's
/// (<c>filter_gen4.yaml</c>: crop, no size limit here, 9/10 of the width in training).
/// </summary>
public sealed record LabelFilterRule
{
    /// <summary><c>crop_to_fov_filter</c>: clip corners to the sensor in float32 and drop boxes that become flat.</summary>
    public bool CropToSensor { get; init; } = true;

    /// <summary>Keep w² + h² ≥ MinDiag² (float32, as NumPy); 0 turns the test off.</summary>
    public double MinDiag { get; init; }

    /// <summary>Keep w ≥ MinSide and h ≥ MinSide (float32).</summary>
    public double MinSide { get; init; }

    /// <summary>
    /// Train split only, <c>remove_faulty_huge_bbox_filter</c>: keep w ≤ ⌊fraction·W⌋ (the original's (9·W)//10 for
    /// 0.9); null turns it off. The fraction is taken in thousandths so the limit is integer arithmetic as there.
    /// </summary>
    public double? MaxTrainWidthFraction { get; init; } = 0.9;

    /// <summary>The largest width kept in the train split for a sensor <paramref name="sensorWidth"/> wide, or null.</summary>
    public long? MaxTrainWidth(int sensorWidth) => MaxTrainWidthFraction is double f
        ? (long)Math.Round(f * 1000) * sensorWidth / 1000
        : null;
}
