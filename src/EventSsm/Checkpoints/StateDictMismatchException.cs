namespace EventSsm.Checkpoints;

/// <summary>A strict state-dict load found missing, unexpected or mis-shaped entries; nothing was loaded.</summary>
public sealed class StateDictMismatchException : InvalidOperationException
{
    public StateDictMismatchException(StateDictLoadReport report)
        : base($"state_dict does not match the module: {report}")
    {
        Report = report;
    }

    public StateDictLoadReport Report { get; }
}
