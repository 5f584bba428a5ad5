namespace EventSsm.Datasets;

/// <summary>A sequence has no usable labels; the original preprocessing drops such sequences (NoLabelsException).</summary>
public sealed class NoLabelsException(string? sequenceName, string reason)
    : InvalidOperationException($"{sequenceName ?? "sequence"}: {reason}")
{
    public string? SequenceName { get; } = sequenceName;
}
