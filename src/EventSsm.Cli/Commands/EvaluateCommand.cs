using System.CommandLine;
using EventSsm.Datasets;
using EventSsm.Evaluation;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm evaluate --dataset NAME GT_DIR DT_DIR`: the Prophesee toolbox's folder evaluation (COCO mAP with the
/// dataset's box filter and class names, docs/DATA.md §8.6), per sequence by default or per label frame as RVT's
/// validation.
/// </summary>
public sealed class EvaluateCommand : ICliCommand
{
    public Command Create()
    {
        var dataset = new Option<string>("--dataset")
        {
            Description = "Dataset whose classes and box filter apply: configs/dataset/<NAME>.yaml (gen1, gen4, etram, dsec, …).",
            HelpName = "NAME",
            Required = true,
        };
        var rawLabels = new Option<bool>("--raw-labels")
        {
            Description = "The ground truth is the dataset's own label files: map their class ids with dataset.label_map (unmapped ids dropped).",
        };
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
        cmd.Options.Add(rawLabels);
        cmd.Options.Add(SharedOptions.ConfigDir());
        cmd.Arguments.Add(gtDir);
        cmd.Arguments.Add(dtDir);
        cmd.SetCliAction(cli =>
        {
            DatasetDescription description = DatasetDescription.Load(cli.ConfigDirectory, cli.GetValue(dataset)!);
            (int pairs, DetectionMetrics metrics) = PropheseeFileEvaluation.EvaluateFolders(
                cli.GetValue(gtDir)!.FullName,
                cli.GetValue(dtDir)!.FullName,
                description.ClassNames,
                description.EvaluationFilter(cli.GetValue(downsample)),
                cli.GetValue(perFrame) ? EvaluationMode.PerFrame : EvaluationMode.PerSequence,
                cli.GetValue(rawLabels) ? description.Classes : null);
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
