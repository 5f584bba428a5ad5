using System.CommandLine;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm demo`: the end-to-end job on built-in synthetic data (synth → train → validate → render).</summary>
public sealed class DemoCommand : ICliCommand
{
    public Command Create()
    {
        var cmd = new Command("demo", "Run the end-to-end demo on built-in synthetic data.");
        cmd.SetAction(_ =>
        {
            Console.WriteLine("EventSsm demo: the synthetic end-to-end pipeline is not built yet.");
            Console.WriteLine("Available commands: run `eventssm --help` (dotnet run --project src/EventSsm.Cli -- --help).");
            return 0;
        });
        return cmd;
    }
}
