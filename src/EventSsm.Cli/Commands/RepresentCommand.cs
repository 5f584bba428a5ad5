using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EventSsm.Events;
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
        cmd.SetAction((parse, ct) =>
        {
            string path = parse.GetValue(input)!.FullName;
            long dt = ToMicroseconds(parse.GetValue(dtMs), "--dt-ms", allowZero: true);
            using IEventReader reader = EventRecording.Open(path);
            long[] ends = parse.GetValue(endsUs) is { } list
                ? ParseEnds(list)
                : EventWindows.CoveringEnds(reader, ToMicroseconds(parse.GetValue(stepMs), "--step-ms", allowZero: false));
            IEventRepresentation rep = parse.GetValue(kind) switch
            {
                "voxel" => new VoxelGrid(reader.Height, reader.Width, parse.GetValue(bins)),
                "timesurface" => new TimeSurface(reader.Height, reader.Width, parse.GetValue(tauMs) * 1000),
                _ => new StackedHistogram(reader.Height, reader.Width, parse.GetValue(bins)),
            };
            var runner = new WindowRepresentations(rep, parse.GetValue(downsample));
            string outPath = parse.GetValue(output)!.FullName;
            var progress = new ConsoleProgress(ends.Length);
            runner.WriteNpy(outPath, reader, ends, dt, progress, ct);
            progress.Finish();
            Console.WriteLine($"{outPath}: {ends.Length} windows × ({runner.Channels}, {runner.Height}, {runner.Width}) {runner.ElementType}");
            return Task.FromResult(0);
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

    /// <summary>Reports progress on stderr at most twice a second, and only for runs that take a while.</summary>
    private sealed class ConsoleProgress(int total) : IProgress<int>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastMs = 0;
        private bool _shown;

        public void Report(int value)
        {
            long ms = _clock.ElapsedMilliseconds;
            if (ms - _lastMs < 500 || ms < 1000)
            {
                return;
            }
            _lastMs = ms;
            _shown = true;
            Console.Error.Write($"\rwindows {value}/{total} ({100.0 * value / Math.Max(total, 1):0}%), {ms / 1000.0:0.0} s");
        }

        public void Finish()
        {
            if (_shown)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
