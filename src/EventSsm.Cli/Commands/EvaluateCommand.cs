using System.CommandLine;
using EventSsm.Evaluation;
using EventSsm.Labels;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm evaluate --dataset gen1|gen4 GT_DIR DT_DIR`: the Prophesee toolbox's folder evaluation (COCO mAP with
/// the Prophesee box filter), per sequence by default or per label frame as RVT's validation.
/// </summary>
public sealed class EvaluateCommand : ICliCommand
{
    public Command Create()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = "Dataset whose classes and box filter apply: gen1 or gen4.",
            Required = true,
        };
        dataset.AcceptOnlyFromAmong("gen1", "gen4");
        var downsample = new Option<bool>("--downsample2")
        {
            Description = "Boxes are in half-resolution pixels: halve the filter thresholds (RVT's gen4 setting).",
        };
        var perFrame = new Option<bool>("--per-frame")
        {
            Description = "One entry per ground-truth timestamp with the detections at exactly that t (RVT validation) "
                + "instead of one entry per file with a ±50 ms window (Prophesee toolbox).",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table." };
        var gtDir = new Argument<DirectoryInfo>("GT_DIR") { Description = "Folder of <name>_bbox.npy ground-truth files." };
        var dtDir = new Argument<DirectoryInfo>("DT_DIR") { Description = "Folder with a detection file of the same name for each." };

        var cmd = new Command("evaluate", "COCO detection metrics of Prophesee bbox files (Prophesee toolbox protocol).");
        cmd.Options.Add(dataset);
        cmd.Options.Add(downsample);
        cmd.Options.Add(perFrame);
        cmd.Options.Add(json);
        cmd.Arguments.Add(gtDir);
        cmd.Arguments.Add(dtDir);
        cmd.SetCliAction(cli =>
        {
            (int pairs, DetectionMetrics metrics) = PropheseeFileEvaluation.EvaluateFolders(
                cli.GetValue(gtDir)!.FullName,
                cli.GetValue(dtDir)!.FullName,
                DatasetInfo.Parse(cli.GetValue(dataset)!),
                cli.GetValue(downsample),
                cli.GetValue(perFrame) ? EvaluationMode.PerFrame : EvaluationMode.PerSequence);
            if (cli.GetValue(json))
            {
                cli.Out.WriteLine(metrics.ToJson());
            }
            else
            {
                cli.Out.WriteLine($"{pairs} file pairs");
                cli.Out.Write(metrics.ToTable());
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
