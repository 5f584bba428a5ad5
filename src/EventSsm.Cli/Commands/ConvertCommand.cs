using System.CommandLine;
using EventSsm.Events;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm convert INPUT OUTPUT`: any readable event file (.raw, .dat, .h5, .hdf5, .csv/.txt) to .raw (EVT 2.0),
/// .dat, RVT raw event .h5 or .csv/.txt, streamed, written atomically.
/// </summary>
public sealed class ConvertCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "Input event file (.raw, .dat, RVT/DSEC .h5, Metavision .hdf5, .csv or .txt)." };
        var output = new Argument<FileInfo>("output") { Description = "Output event file (.raw EVT 2.0, .dat, RVT raw event .h5/.hdf5, .csv or .txt)." };
        var format = new Option<string>("--format")
        {
            Description = "Encoding of a .raw output (only evt2).",
            DefaultValueFactory = _ => "evt2",
        };
        var width = new Option<int?>("--width") { Description = "Sensor width, for inputs that do not state it: .raw without geometry or known camera, .h5 without events/width (default 304), .hdf5 without geometry, text without a size comment." };
        var height = new Option<int?>("--height") { Description = "Sensor height, for inputs that do not state it (see --width; .h5 default 240)." };
        var cmd = new Command("convert", "Convert event files between Metavision .raw and .hdf5, Prophesee .dat, RVT/DSEC .h5 and CSV/text (external triggers kept in .raw outputs).");
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
            if (r.TriggersWritten + r.TriggersDropped > 0)
            {
                cli.Out.WriteLine(r.TriggersDropped == 0
                    ? $"external triggers: {r.TriggersWritten} written as EXT_TRIGGER words"
                    : $"external triggers: {r.TriggersWritten} written, {r.TriggersDropped} dropped ({dst.Extension} has no place for them; convert to .raw to keep them)");
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
