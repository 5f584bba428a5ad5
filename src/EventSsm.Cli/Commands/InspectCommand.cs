using System.CommandLine;
using EventSsm.Workflows.Inspection;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm inspect FILE`: what a data or weight file holds (format, sizes, dtypes, counts).</summary>
public sealed class InspectCommand : ICliCommand
{
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
        cmd.SetCliAction(cli =>
        {
            string path = cli.GetValue(file)!.FullName;
            string[]? names = cli.GetValue(classes)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            // A .raw file is decoded in full; the display shows how far on big ones.
            IReadOnlyList<string> lines = cli.WithProgress(progress => FileInspector.Describe(path, progress, names));
            cli.Out.WriteLine(path);
            foreach (string line in lines)
            {
                cli.Out.WriteLine("  " + line);
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
