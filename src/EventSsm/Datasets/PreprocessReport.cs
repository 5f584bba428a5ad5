namespace EventSsm.Datasets;

/// <summary>The result of a <see cref="Preprocessor"/> run, sequences in split then name order.</summary>
/// <param name="RemovedTempDirs">Leftovers of interrupted runs that were deleted at the start.</param>
/// <param name="MissingSplits">Requested splits with no folder in the input.</param>
public sealed record PreprocessReport(IReadOnlyList<SequenceOutcome> Sequences, IReadOnlyList<string> RemovedTempDirs, IReadOnlyList<string> MissingSplits)
{
    /// <summary>Sequences found in the input, all shards together.</summary>
    public int SequencesFound { get; init; }

    /// <summary>The part of them this run took (<see cref="Shard.All"/> unless <c>--shard</c> was given).</summary>
    public Shard Shard { get; init; } = Shard.All;

    public bool AnyFailed => Sequences.Any(s => s.Status == SequenceStatus.Failed);

    public int Count(SequenceStatus status) => Sequences.Count(s => s.Status == status);
}
