namespace EventSsm.Streaming;

/// <summary>Window timing and thresholds of a <see cref="StreamingDetector"/>.</summary>
public sealed record StreamingOptions
{
    /// <summary>A window ends every step, on the grid k·step (k ≥ 1).</summary>
    public long StepUs { get; init; } = 50_000;

    /// <summary>Each window holds the events in [T − dt, T] (both ends included, docs/DATA.md §2.4).</summary>
    public long WindowUs { get; init; } = 50_000;

    /// <summary>obj·cls threshold; null = the config's model.postprocess.confidence_threshold.</summary>
    public double? ConfidenceThreshold { get; init; }

    /// <summary>NMS IoU; null = the config's model.postprocess.nms_threshold.</summary>
    public double? NmsThreshold { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(StepUs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WindowUs);
    }
}
