using System.CommandLine;
using EventSsm.IO;
using EventSsm.Workflows.Inspection;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm inspect FILE`: what a data or weight file holds (format, sizes, dtypes, counts).</summary>
public sealed class InspectCommand : ICliCommand
{
    private const long ProgressThresholdBytes = 256L << 20;

    public Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = $"A data or weight file ({FileInspector.SupportedTypes})." };
        var cmd = new Command("inspect", "Describe a data or weight file: format, sensor size, event counts, array shapes, tensors and parameters.");
        cmd.Arguments.Add(file);
        cmd.SetAction(parse =>
        {
            FileInfo info = parse.GetValue(file)!;
            string path = info.FullName;
            // A .raw file is decoded in full; show how far on big ones.
            IProgress<double>? progress = info.Exists && info.Length >= ProgressThresholdBytes ? new PercentProgress() : null;
            IReadOnlyList<string> lines = FileInspector.Describe(path, progress);
            Console.WriteLine(path);
            foreach (string line in lines)
            {
                Console.WriteLine("  " + line);
            }
            return 0;
        });
        return cmd;
    }
}
