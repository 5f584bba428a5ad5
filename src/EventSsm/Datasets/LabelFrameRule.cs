namespace EventSsm.Datasets;

/// <summary>
/// How label frames are chosen among a sequence's label times (docs/DATA.md §2.2, §8.4): a base period B, fixed
/// (gen1: 250 ms) or the whole number of median label periods nearest <see cref="SpacingUs"/> (gen4: 3 at 30 Hz,
/// 6 at 60 Hz); the first frame is the first label at or after <see cref="FirstUs"/>, later ones are labels within
/// <see cref="ToleranceUs"/> of a whole number of periods after the previous frame.
/// </summary>
public sealed record LabelFrameRule
{
    /// <summary>The original's constants (align_t_ms = 100, ts_step_frame_ms = 100, ±2 ms).</summary>
    public const long ReferenceFirstUs = 100_000;

    public const long ReferenceSpacingUs = 100_000;

    public const long ReferenceToleranceUs = 2_000;

    /// <summary>align_t_ms: the first frame is the first label time ≥ this.</summary>
    public long FirstUs { get; init; } = ReferenceFirstUs;

    /// <summary>A fixed base period B (gen1: 250000 µs); null derives it from the label rate.</summary>
    public long? PeriodUs { get; init; }

    /// <summary>
    /// With a derived period: the label rates accepted, rint(1e6 / median spacing) in Hz (gen4: 30 and 60; the original
    /// stops on anything else). Empty accepts any rate.
    /// </summary>
    public IReadOnlyList<int> RatesHz { get; init; } = [];

    /// <summary>With a derived period, B = int(n·m) with n = max(1, round(SpacingUs / m)) for the median label period m.</summary>
    public long SpacingUs { get; init; } = ReferenceSpacingUs;

    /// <summary>A label is on the cadence if it is within this of a whole number of base periods.</summary>
    public long ToleranceUs { get; init; } = ReferenceToleranceUs;

    /// <summary>
    /// Representation steps per base period at the original's 50 ms step: its arithmetic gives 100 ms / 50 ms = 2
    /// whatever B is (gen1: windows 125 ms apart inside labelled stretches, docs/DATA.md §2.3). Null: round(B / step),
    /// so windows are one step apart (the same 2 wherever B is about 100 ms, as for gen4).
    /// </summary>
    public int? StepsPerPeriod { get; init; }

    /// <summary>Throws ArgumentException naming the setting that cannot work.</summary>
    public void Validate()
    {
        if (FirstUs < 0)
        {
            throw new ArgumentException($"first frame time {FirstUs} µs must not be negative");
        }
        if (PeriodUs is <= 0)
        {
            throw new ArgumentException($"base period {PeriodUs} µs must be positive");
        }
        if (SpacingUs <= 0)
        {
            throw new ArgumentException($"frame spacing {SpacingUs} µs must be positive");
        }
        if (ToleranceUs < 0)
        {
            throw new ArgumentException($"cadence tolerance {ToleranceUs} µs must not be negative");
        }
        if (StepsPerPeriod is <= 0)
        {
            throw new ArgumentException($"steps per period {StepsPerPeriod} must be positive");
        }
        if (RatesHz.Any(r => r <= 0))
        {
            throw new ArgumentException($"label rates [{string.Join(", ", RatesHz)}] must be positive");
        }
    }
}
