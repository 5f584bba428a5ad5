using System.CommandLine;

namespace EventSsm.Cli;

/// <summary>
/// One `eventssm` sub-command. Every non-abstract implementation in this assembly is discovered and registered by
/// <see cref="Program"/>, so adding a command means adding one file under Commands/.
/// </summary>
public interface ICliCommand
{
    Command Create();
}
