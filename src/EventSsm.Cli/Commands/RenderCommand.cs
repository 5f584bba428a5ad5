using System.CommandLine;
using EventSsm.Rendering;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm render EVENTS --out OUT.gif|OUT.mp4|DIR`: event frames with ground-truth and/or predicted boxes.</summary>
public sealed class RenderCommand : ICliCommand
{
    public Command Create()
    {
        var input = new Argument<FileInfo>("INPUT") { Description = "Event recording (any format EventRecording opens, e.g. .dat, .raw, .h5, Metavision .hdf5, .csv)." };
        var labels = new Option<FileInfo?>("--labels") { Description = "Ground-truth boxes (*_bbox.npy)." };
        var pred = new Option<FileInfo?>("--pred") { Description = "Predicted boxes (.npy, class_confidence = score)." };
        var output = new Option<string>("--out") { Description = "OUT.gif, OUT.mp4 (H.264 through ffmpeg; a GIF when ffmpeg is missing), or a folder for numbered PNGs.", Required = true };
        var showConf = new Option<double>("--show-conf") { Description = "Predictions scored below this are not drawn.", DefaultValueFactory = _ => 0.3 };
        var step = new Option<double>("--step-ms") { Description = "Time between frames.", DefaultValueFactory = _ => 50.0 };
        var dt = new Option<double>("--dt-ms") { Description = "Event window per frame, [T-dt, T].", DefaultValueFactory = _ => 50.0 };
        var scale = new Option<int>("--scale") { Description = "Integer enlargement; 0 = 2 for sensors narrower than 640 px, else 1.", DefaultValueFactory = _ => 0 };
        var coloring = new Option<EventColoring>("--coloring") { Description = "Binary (grey/white/black, as the original) or Polarity (blue/red on black).", DefaultValueFactory = _ => EventColoring.Binary };
        var layout = new Option<PanelLayout>("--layout") { Description = "SideBySide, Stacked or Overlay (ground truth dashed) when both --labels and --pred are given.", DefaultValueFactory = _ => PanelLayout.SideBySide };
        var noLegend = new Option<bool>("--no-legend") { Description = "Leave out the bar with the time and the class colours." };
        var maxFrames = new Option<int>("--max-frames") { Description = "Stop after this many frames.", DefaultValueFactory = _ => int.MaxValue };
        var cmd = new Command("render", "Render event frames with boxes to an animated GIF, an MP4 or PNG files.");
        cmd.Arguments.Add(input);
        foreach (Option o in new Option[] { labels, pred, output, step, dt, scale, showConf, coloring, layout, noLegend, maxFrames })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new RenderOptions
            {
                StepUs = (long)Math.Round(cli.GetValue(step) * 1000),
                WindowUs = (long)Math.Round(cli.GetValue(dt) * 1000),
                Scale = cli.GetValue(scale),
                Coloring = cli.GetValue(coloring),
                Layout = cli.GetValue(layout),
                MaxFrames = cli.GetValue(maxFrames),
                MinConfidence = cli.GetValue(showConf),
                Legend = !cli.GetValue(noLegend),
            };
            RenderResult r = RecordingRenderer.Render(cli.GetValue(input)!.FullName, cli.GetValue(labels)?.FullName,
                cli.GetValue(pred)?.FullName, cli.GetValue(output)!, options);
            if (r.Note is not null)
            {
                cli.Out.WriteLine(r.Note);
            }
            cli.Out.WriteLine($"wrote {r.Frames} frames ({r.Events:N0} events) to {r.Target}");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
