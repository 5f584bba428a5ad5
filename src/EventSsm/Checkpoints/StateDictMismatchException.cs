namespace EventSsm.Checkpoints;

/// <summary>A strict state-dict load found missing, unexpected or mis-shaped entries; nothing was loaded.</summary>
public sealed class StateDictMismatchException : InvalidOperationException
{
    /// <summary>The failed load described by <paramref name="report"/>.</summary>
    public StateDictMismatchException(StateDictLoadReport report)
        : base($"state_dict does not match the module: {report}")
    {
        Report = report;
    }

    /// <summary>Every difference the load found.</summary>
    public StateDictLoadReport Report { get; }
}
