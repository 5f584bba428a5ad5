namespace EventSsm.Datasets;

/// <summary>What <see cref="Preprocessor"/> did with one raw sequence.</summary>
public enum SequenceStatus
{
    /// <summary>The output directory was written.</summary>
    Written,

    /// <summary>A finished output directory already existed (resume).</summary>
    AlreadyDone,

    /// <summary>On the original's ignore list (docs/DATA.md §2): no output.</summary>
    Ignored,

    /// <summary>No label frame survived filtering (the original's NoLabelsException): no output.</summary>
    NoLabels,

    /// <summary>An error; no output directory is left behind.</summary>
    Failed,
}

/// <param name="Reason">Why it was skipped or failed; null when written.</param>
/// <param name="Frames">Label frames written (0 unless written).</param>
/// <param name="Windows">Representations written (0 unless written).</param>
public sealed record SequenceOutcome(string Split, string Sequence, SequenceStatus Status, string? Reason = null, int Frames = 0, int Windows = 0);
