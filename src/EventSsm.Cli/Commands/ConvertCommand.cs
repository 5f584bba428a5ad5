using System.CommandLine;
using EventSsm.Events;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm convert INPUT OUTPUT`: .raw (EVT 2.0/2.1/3.0) ↔ .dat ↔ raw event .h5, streamed, written atomically.</summary>
public sealed class ConvertCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "Input event file (.raw, .dat or RVT raw event .h5)." };
        var output = new Argument<FileInfo>("output") { Description = "Output event file (.raw, .dat or .h5)." };
        var format = new Option<string>("--format")
        {
            Description = "Encoding of a .raw output (only evt2).",
            DefaultValueFactory = _ => "evt2",
        };
        var width = new Option<int?>("--width") { Description = "Sensor width, for .raw files whose header has no geometry or .h5 files without events/width (default 304)." };
        var height = new Option<int?>("--height") { Description = "Sensor height, for .raw files whose header has no geometry or .h5 files without events/height (default 240)." };
        var cmd = new Command("convert", "Convert event files between Metavision .raw, Prophesee .dat and RVT raw event HDF5 (.h5).");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(output);
        cmd.Options.Add(format);
        cmd.Options.Add(width);
        cmd.Options.Add(height);
        cmd.SetCliAction(cli =>
        {
            FileInfo src = cli.GetValue(input)!;
            FileInfo dst = cli.GetValue(output)!;
            if (!src.Exists)
            {
                throw new FileNotFoundException($"{src.FullName}: no such file");
            }
            EventConversionResult r = cli.WithProgress(progress => EventFileConverter.Convert(src.FullName, dst.FullName,
                cli.GetValue(format)!, progress, cli.GetValue(width), cli.GetValue(height)));
            cli.Out.WriteLine($"{dst.FullName}: {r.Events} events, {r.Width}×{r.Height}");
            if (r.RawStats is { } stats)
            {
                cli.Out.WriteLine($"skipped: {stats}");
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
