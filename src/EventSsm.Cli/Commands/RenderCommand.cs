using System.CommandLine;
using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Rendering;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm render EVENTS --out OUT.gif|DIR`: event frames with ground-truth and/or predicted boxes.</summary>
public sealed class RenderCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<FileInfo>("INPUT") { Description = "Event recording (any format EventRecording opens, e.g. .dat, .raw, raw event .h5)." };
        var labels = new Option<FileInfo?>("--labels") { Description = "Ground-truth boxes (*_bbox.npy)." };
        var pred = new Option<FileInfo?>("--pred") { Description = "Predicted boxes (.npy, class_confidence = score)." };
        var output = new Option<string>("--out") { Description = "OUT.gif, OUT.mp4, or a folder for numbered PNGs.", Required = true };
        var render = new Option<string?>("--render") { Description = "gif, mp4 (H.264 through ffmpeg; a GIF when ffmpeg is missing) or png; default from the --out extension." };
        var showConf = new Option<double>("--show-conf") { Description = "Predictions scored below this are not drawn.", DefaultValueFactory = _ => 0.3 };
        var step = new Option<double>("--step-ms") { Description = "Time between frames.", DefaultValueFactory = _ => 50.0 };
        var dt = new Option<double>("--dt-ms") { Description = "Event window per frame, [T-dt, T].", DefaultValueFactory = _ => 50.0 };
        var scale = new Option<int>("--scale") { Description = "Integer enlargement; 0 = 2 for sensors narrower than 640 px, else 1.", DefaultValueFactory = _ => 0 };
        var coloring = new Option<EventColoring>("--coloring") { Description = "Binary (grey/white/black, as the original) or Polarity (blue/red on black).", DefaultValueFactory = _ => EventColoring.Binary };
        var layout = new Option<PanelLayout>("--layout") { Description = "SideBySide, Stacked or Overlay (ground truth dashed) when both --labels and --pred are given.", DefaultValueFactory = _ => PanelLayout.SideBySide };
        var noLegend = new Option<bool>("--no-legend") { Description = "Leave out the bar with the time and the class colours." };
        var maxFrames = new Option<int>("--max-frames") { Description = "Stop after this many frames.", DefaultValueFactory = _ => int.MaxValue };
        var cmd = new Command("render", "Render event frames with boxes to an animated GIF or PNG files.");
        cmd.Arguments.Add(input);
        foreach (Option o in new Option[] { labels, pred, output, render, step, dt, scale, showConf, coloring, layout, noLegend, maxFrames })
        {
            cmd.Options.Add(o);
        }
        cmd.SetAction(parse =>
        {
            string inPath = parse.GetValue(input)!.FullName;
            using IEventReader events = EventRecording.Open(inPath);
            BoundingBox[]? gt = parse.GetValue(labels) is { } l ? BoundingBoxFile.Read(l.FullName) : null;
            BoundingBox[]? pr = parse.GetValue(pred) is { } p ? BoundingBoxFile.Read(p.FullName) : null;
            var options = new RenderOptions
            {
                StepUs = (long)Math.Round(parse.GetValue(step) * 1000),
                WindowUs = (long)Math.Round(parse.GetValue(dt) * 1000),
                Scale = parse.GetValue(scale),
                Coloring = parse.GetValue(coloring),
                Layout = parse.GetValue(layout),
                MaxFrames = parse.GetValue(maxFrames),
                MinConfidence = parse.GetValue(showConf),
                Legend = !parse.GetValue(noLegend),
            };
            IEnumerable<RgbImage> frames = EventVideo.Frames(events, gt, pr, options);
            string outPath = parse.GetValue(output)!;
            RenderFormat format = parse.GetValue(render) is { } r ? RenderOutput.Parse(r)
                : outPath.EndsWith(".gif", StringComparison.OrdinalIgnoreCase) ? RenderFormat.Gif
                : outPath.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase) ? RenderFormat.Mp4
                : RenderFormat.Png;
            TextWriter console = parse.InvocationConfiguration.Output;
            RenderedFile written = RenderOutput.Write(outPath, frames, options.StepUs, format, console.WriteLine);
            console.WriteLine($"wrote {written.Frames} frames ({events.Count:N0} events) to {written.Path}");
            return 0;
        });
        return cmd;
    }
}
