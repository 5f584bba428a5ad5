using System.CommandLine;
using System.Diagnostics;
using EventSsm.Synthetic;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm synth OUT_DIR`: writes a labelled synthetic dataset in the Gen1 raw layout.</summary>
public sealed class SynthCommand : ICliCommand
{
    public Command Create()
    {
        var outDir = new Argument<DirectoryInfo>("OUT_DIR") { Description = "Output folder (train/val/test are created in it)." };
        var sequences = new Option<int>("--sequences") { Description = "Number of sequences (split 60/20/20).", DefaultValueFactory = _ => 5 };
        var seconds = new Option<double>("--seconds") { Description = "Duration of each sequence.", DefaultValueFactory = _ => 10.0 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives identical files.", DefaultValueFactory = _ => 0UL };
        var width = new Option<int>("--width") { Description = "Sensor width.", DefaultValueFactory = _ => 304 };
        var height = new Option<int>("--height") { Description = "Sensor height.", DefaultValueFactory = _ => 240 };
        var labelHz = new Option<double>("--label-hz") { Description = "Label rate (20 Hz gives labels every 50 ms from 50 ms).", DefaultValueFactory = _ => 20.0 };
        var background = new Option<BackgroundKind>("--background") { Description = "Textured or Plain.", DefaultValueFactory = _ => BackgroundKind.Textured };
        var noise = new Option<double>("--noise-hz") { Description = "Background-activity noise per pixel per second.", DefaultValueFactory = _ => new EventCameraOptions().NoiseRateHz };
        var cmd = new Command("synth", "Write a labelled synthetic event dataset (cars and pedestrians) in the Gen1 raw layout.");
        cmd.Arguments.Add(outDir);
        foreach (Option o in new Option[] { sequences, seconds, seed, width, height, labelHz, background, noise })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            double s = cli.GetValue(seconds);
            if (!(s > 0) || s > 4000)
            {
                throw new ArgumentException($"--seconds {s} must be in (0, 4000]");
            }
            var options = new SceneOptions
            {
                Width = cli.GetValue(width),
                Height = cli.GetValue(height),
                DurationUs = (long)Math.Round(s * 1e6),
                Seed = cli.GetValue(seed),
                LabelHz = cli.GetValue(labelHz),
                Background = cli.GetValue(background),
                Camera = new EventCameraOptions { NoiseRateHz = cli.GetValue(noise) },
            };
            string dir = cli.GetValue(outDir)!.FullName;
            int n = cli.GetValue(sequences);
            var clock = Stopwatch.StartNew();
            cli.WithProgress(progress => SyntheticDataset.Write(dir, n, options, (info, i) =>
                cli.Out.WriteLine($"[{i + 1}/{n}] {info.Split}/{info.Name}: {info.EventCount:N0} events, {info.LabelCount} boxes ({clock.Elapsed.TotalSeconds:F1} s)"),
                progress, cli.Cancellation));
            cli.Out.WriteLine($"wrote {n} sequences to {dir}");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
