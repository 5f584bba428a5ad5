using System.CommandLine;
using System.Globalization;
using EventSsm.Representations;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm represent`: event windows → (N, C, H, W) .npy (stacked histogram, voxel grid or time surface).</summary>
public sealed class RepresentCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "Event recording (any format EventRecording opens, e.g. .dat, .raw, .h5, Metavision .hdf5, .csv)." };
        var output = new Option<FileInfo>("--out") { Description = "Output .npy, shape (N, C, H, W).", Required = true };
        var dtMs = new Option<double>("--dt-ms") { Description = "Window length in ms; windows are [T−dt, T], both ends inclusive.", DefaultValueFactory = _ => 50 };
        var bins = new Option<int>("--bins") { Description = "Time bins (stacked: per polarity, so 2×bins channels; voxel: channels).", DefaultValueFactory = _ => 10 };
        var endsUs = new Option<string?>("--ends-us") { Description = "Comma-separated window ends T in µs (default: every --step-ms covering the recording)." };
        var stepMs = new Option<double>("--step-ms") { Description = "Spacing of window ends when --ends-us is not given.", DefaultValueFactory = _ => 50 };
        var downsample = new Option<bool>("--downsample2") { Description = "Gen4 nearest-exact ½ downsample (keeps odd rows/columns)." };
        var kind = new Option<string>("--kind") { Description = "stacked (uint8, RVT-exact), voxel or timesurface (float32).", DefaultValueFactory = _ => "stacked" };
        kind.AcceptOnlyFromAmong("stacked", "voxel", "timesurface");
        var tauMs = new Option<double>("--tau-ms") { Description = "Time-surface decay constant in ms.", DefaultValueFactory = _ => 25 };

        var cmd = new Command("represent", "Build event representations for windows of a recording and write them as .npy.");
        cmd.Arguments.Add(input);
        foreach (Option o in new Option[] { output, dtMs, bins, endsUs, stepMs, downsample, kind, tauMs })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            long[]? ends = cli.GetValue(endsUs) is { } list ? ParseEnds(list) : null;
            var options = new RecordingRepresentationOptions
            {
                Kind = cli.GetValue(kind) switch
                {
                    "voxel" => RepresentationKind.VoxelGrid,
                    "timesurface" => RepresentationKind.TimeSurface,
                    _ => RepresentationKind.StackedHistogram,
                },
                WindowUs = ToMicroseconds(cli.GetValue(dtMs), "--dt-ms", allowZero: true),
                EndsUs = ends,
                StepUs = ends is null ? ToMicroseconds(cli.GetValue(stepMs), "--step-ms", allowZero: false) : 0,
                Bins = cli.GetValue(bins),
                TauUs = cli.GetValue(tauMs) * 1000,
                Downsample2 = cli.GetValue(downsample),
            };
            string inPath = cli.GetValue(input)!.FullName;
            string outPath = cli.GetValue(output)!.FullName;
            RecordingRepresentationResult r = cli.WithProgress(progress =>
                RecordingRepresentation.WriteNpy(inPath, outPath, options, progress, cli.Cancellation));
            cli.Out.WriteLine($"{r.Path}: {r.Windows} windows × ({r.Channels}, {r.Height}, {r.Width}) {r.ElementType}");
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static long ToMicroseconds(double ms, string option, bool allowZero)
    {
        double us = Math.Round(ms * 1000);
        if (double.IsNaN(us) || us < 0 || (!allowZero && us == 0) || us > long.MaxValue / 4)
        {
            throw new ArgumentException($"{option} {ms} is not a valid duration");
        }
        return (long)us;
    }

    private static long[] ParseEnds(string list)
    {
        string[] parts = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ends = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ends[i]))
            {
                throw new ArgumentException($"--ends-us: '{parts[i]}' is not an integer time in µs");
            }
        }
        if (ends.Length == 0)
        {
            throw new ArgumentException("--ends-us: no window ends given");
        }
        return ends;
    }
}
