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
        var classes = new Option<string?>("--classes")
        {
            Description = "Comma-separated class names for the class ids of a box file (.npy), e.g. car,pedestrian. A DSEC-Det tracks.npy is named without it.",
        };
        var cmd = new Command("inspect", "Describe a data or weight file: format, sensor size, event counts, triggers, per-class box counts, array shapes, tensors and parameters.");
        cmd.Arguments.Add(file);
        cmd.Options.Add(classes);
        cmd.SetAction(parse =>
        {
            FileInfo info = parse.GetValue(file)!;
            string path = info.FullName;
            // A .raw file is decoded in full; show how far on big ones.
            IProgress<double>? progress = info.Exists && info.Length >= ProgressThresholdBytes ? new PercentProgress() : null;
            string[]? names = parse.GetValue(classes)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            IReadOnlyList<string> lines = FileInspector.Describe(path, progress, names);
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
