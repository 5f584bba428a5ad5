using System.CommandLine;
using EventSsm.IO;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm inspect FILE`: what a data file holds (format, sizes, dtypes, counts).</summary>
public sealed class InspectCommand : ICliCommand
{
    public Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A .dat, .npy or .npz file." };
        var cmd = new Command("inspect", "Describe a data file: format, sensor size, event counts, array dtypes and shapes.");
        cmd.Arguments.Add(file);
        cmd.SetAction(parse =>
        {
            string path = parse.GetValue(file)!.FullName;
            Console.WriteLine(path);
            foreach (string line in FileInspector.Describe(path))
            {
                Console.WriteLine("  " + line);
            }
            return 0;
        });
        return cmd;
    }
}
