using EventSsm.Events;

namespace EventSsm.Datasets;

/// <summary>Settings of <see cref="Preprocessor"/>; with the gen1/gen4 descriptions the defaults reproduce the original's jobs.</summary>
public sealed record PreprocessOptions
{
    public const double ReferenceStepMs = 50;

    /// <summary>The dataset: classes, sensor, layout, filters and label-frame rule (docs/DATA.md §8).</summary>
    public required DatasetDescription Dataset { get; init; }

    /// <summary>The part of the sequences this run writes (<c>--shard i/N</c>); the whole dataset by default.</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>Window length dt: each representation holds the events in [T − dt, T] (docs/DATA.md §2.4).</summary>
    public double WindowMs { get; init; } = 50;

    /// <summary>
    /// Representation step. The original hard-codes 50 ms; another value (true-rate preprocessing, e.g. 5 ms windows
    /// every 5 ms, or 12.5 ms for 80 Hz) must be a whole number of µs and is recorded in the output name as <c>_step=</c>.
    /// </summary>
    public double StepMs { get; init; } = ReferenceStepMs;

    /// <summary>
    /// Windows exactly one step apart also at the original's 50 ms step (<see cref="LabelFrameSelector.Select"/>); off
    /// reproduces the original (gen1: 125 ms apart inside labelled intervals). On adds <c>_step=</c> to the name.
    /// </summary>
    public bool TrueRate { get; init; }

    public long WindowUs => (long)Math.Round(WindowMs * 1000);

    public long StepUs => (long)Math.Round(StepMs * 1000);

    /// <summary>Sequences processed at once; ≤ 0 means one per processor.</summary>
    public int Workers { get; init; }

    public IReadOnlyList<string> Splits { get; init; } = ["train", "val", "test"];

    /// <summary>Opens an event file; by default <see cref="EventRecording.Open"/> with the dataset's sensor size.</summary>
    public Func<string, IEventReader>? OpenEvents { get; init; }

    /// <summary>
    /// The representation folder name: <c>stacked_histogram_dt=&lt;dt&gt;_nbins=10</c> as the original names it, plus
    /// <c>_step=&lt;step&gt;</c> when the step is not the original's 50 ms, so both kinds can live side by side.
    /// </summary>
    public string RepresentationName =>
        FormattableString.Invariant($"stacked_histogram_dt={WindowMs:0.###}_nbins={Preprocessor.Bins}") +
        (StepMs == ReferenceStepMs && !TrueRate ? "" : FormattableString.Invariant($"_step={StepMs:0.###}"));

    /// <summary>
    /// Downsampled datasets write the file under the name the original gives gen4's (docs/DATA.md §2.7).
    /// </summary>
    public string RepresentationFileName => Dataset.RepresentationFileName;

    /// <summary>Throws ArgumentException for settings the original's arithmetic cannot follow.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Dataset);
        Dataset.Frames.Validate();
        Dataset.Raw.Validate();
        if (!(WindowMs > 0) || !IsWholeMicroseconds(WindowMs))
        {
            throw new ArgumentException($"window length {WindowMs} ms must be positive and a whole number of µs");
        }
        if (!(StepMs > 0) || !IsWholeMicroseconds(StepMs))
        {
            throw new ArgumentException($"step {StepMs} ms must be positive and a whole number of µs");
        }
        if (Splits.Count == 0)
        {
            throw new ArgumentException("no splits to process");
        }
        foreach (string s in Splits)
        {
            if (s.Length == 0 || s.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || s is "." or "..")
            {
                throw new ArgumentException($"'{s}' is not a split folder name");
            }
        }
    }

    private static bool IsWholeMicroseconds(double ms) => Math.Abs((ms * 1000) - Math.Round(ms * 1000)) < 1e-6 && ms * 1000 < long.MaxValue / 2;
}
