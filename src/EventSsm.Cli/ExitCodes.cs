namespace EventSsm.Cli;

/// <summary>The exit codes of every command (README "Exit codes").</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Some items failed (e.g. sequences of <c>preprocess</c>, recordings of <c>predict</c> on a folder), or an unexpected error.</summary>
    public const int Failed = 1;

    /// <summary>Bad input: a usage error, a missing or malformed file, a bad config value. One line names the file or value.</summary>
    public const int BadInput = 2;

    /// <summary>Cancelled (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
