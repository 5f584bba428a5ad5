namespace EventSsm.Datasets;

/// <summary>
/// A progress report of <see cref="Preprocessor"/>: windows done of a sequence, or (with <see cref="Outcome"/> set)
/// that the sequence is finished or skipped.
/// </summary>
public sealed record PreprocessProgress(string Split, string Sequence, int WindowsDone, int WindowsTotal, SequenceOutcome? Outcome = null);
