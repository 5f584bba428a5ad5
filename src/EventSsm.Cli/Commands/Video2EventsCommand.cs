using System.CommandLine;
using EventSsm.Events;
using EventSsm.Synthetic;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm video2events FRAMES_DIR_OR_GIF OUT.dat`: converts a video to events with the synthetic camera model.</summary>
public sealed class Video2EventsCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<string>("FRAMES_DIR_OR_GIF") { Description = "A folder of images (sorted by name) or an animated GIF." };
        var output = new Argument<string>("OUT.dat") { Description = "Output event file." };
        var fps = new Option<double?>("--fps") { Description = "Frame rate (default: the GIF's own delays, or 30 for a folder)." };
        var threshold = new Option<float>("--threshold") { Description = "Mean ON/OFF contrast threshold (log intensity).", DefaultValueFactory = _ => 0.2f };
        var noise = new Option<double>("--noise-hz") { Description = "Background-activity noise per pixel per second.", DefaultValueFactory = _ => 0.0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed for threshold mismatch and noise.", DefaultValueFactory = _ => 0UL };
        var cmd = new Command("video2events", "Convert frames (image folder or animated GIF) to events with the camera model.");
        cmd.Arguments.Add(input);
        cmd.Arguments.Add(output);
        foreach (Option o in new Option[] { fps, threshold, noise, seed })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            float th = cli.GetValue(threshold);
            var camera = new EventCameraOptions { ContrastOn = th, ContrastOff = th, NoiseRateHz = cli.GetValue(noise), HotPixels = 0 };
            string outPath = cli.GetValue(output)!;
            EventArray events = VideoToEvents.ConvertFile(cli.GetValue(input)!, outPath, camera, cli.GetValue(fps), cli.GetValue(seed));
            cli.Out.WriteLine($"wrote {events.Count:N0} events ({events.Width}×{events.Height}) to {outPath}");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
