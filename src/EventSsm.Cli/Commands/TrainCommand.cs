using System.CommandLine;
using EventSsm.Training;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm train dataset=gen1 dataset.path=DIR +experiment/gen1=small.yaml [key=value …] [--out DIR] [--resume DIR]`:
/// the original's training command line (RVT/train.py) without hydra, Lightning or W&amp;B.
/// </summary>
public sealed class TrainCommand : ICliCommand
{
    public Command Create()
    {
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides as in the original, e.g. dataset=gen1 dataset.path=DIR +experiment/gen1=small.yaml batch_size.train=8.", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--out") { Description = "Run folder (default runs/<date-time>)." };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this folder from checkpoints/last.safetensors (its config.yaml is used)." };
        var seed = new Option<int>("--seed") { Description = "Seed for sampling and augmentation.", DefaultValueFactory = _ => 0 };
        var cmd = new Command("train", "Train the S5-ViT detector on a preprocessed dataset (mixed stream/random batches, AdamW + OneCycle).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { output, resume, seed, SharedOptions.ConfigDir(), SharedOptions.Device(), SharedOptions.Threads() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new TrainingRunOptions
            {
                Overrides = cli.GetValue(overrides) ?? [],
                RunDirectory = cli.GetValue(output),
                ResumeDirectory = cli.GetValue(resume),
                Seed = cli.GetValue(seed),
                ConfigDirectory = cli.ConfigDirectory,
                Device = cli.Device,
            };
            TrainingRunResult r = cli.WithProgress(progress => TrainingRun.Run(options, cli.Out.WriteLine, progress, cli.Cancellation));
            if (r.LastMetrics is not null)
            {
                cli.Out.WriteLine(r.LastMetrics.ToTable());
            }
            cli.Out.WriteLine($"checkpoints: {r.LastCheckpoint}, {r.BestCheckpoint}");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
