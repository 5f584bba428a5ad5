namespace EventSsm.Datasets;

/// <summary>The result of a <see cref="Preprocessor"/> run, sequences in split then name order.</summary>
/// <param name="RemovedTempDirs">Leftovers of interrupted runs that were deleted at the start.</param>
/// <param name="MissingSplits">Requested splits with no folder in the input.</param>
public sealed record PreprocessReport(IReadOnlyList<SequenceOutcome> Sequences, IReadOnlyList<string> RemovedTempDirs, IReadOnlyList<string> MissingSplits)
{
    public bool AnyFailed => Sequences.Any(s => s.Status == SequenceStatus.Failed);

    public int Count(SequenceStatus status) => Sequences.Count(s => s.Status == status);
}
