using System.CommandLine;
using EventSsm.Training;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm validate dataset=gen1 dataset.path=DIR checkpoint=CKPT +experiment/gen1=base.yaml [use_test_set=1] ...`:
/// the original's <c>validation.py</c> with its Hydra-style overrides: streams the val (or test) split through the
/// detector and prints the COCO metrics of the Prophesee protocol.
/// </summary>
public sealed class ValidateCommand : ICliCommand
{
    public Command Create()
    {
        var overrides = new Argument<string[]>("OVERRIDES")
        {
            Description = "Config overrides as in the original, e.g. dataset=gen1 dataset.path=DIR checkpoint=FILE "
                + "+experiment/gen1=base.yaml use_test_set=1 batch_size.eval=8 model.postprocess.confidence_threshold=0.001; "
                + "for our .safetensors, dataset.path=DIR alone uses the config the checkpoint embeds",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (as `evaluate --json`) instead of the table." };

        var cmd = new Command("validate", "Evaluate a checkpoint on the validation or test split (the original's validation.py).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { json, SharedOptions.Checkpoint(required: false), SharedOptions.ConfigDir(), SharedOptions.Device(), SharedOptions.Threads(), SharedOptions.Precision() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new ValidationRunOptions
            {
                Overrides = cli.GetValue(overrides) ?? [],
                Checkpoint = cli.Checkpoint,
                ConfigDirectory = cli.ConfigDirectory,
                Device = cli.Device,
                Precision = SharedOptions.Precision(cli),
            };
            ValidationRunResult r = cli.WithProgress(progress => ValidationRun.Run(options, progress, cli.Cancellation));
            if (cli.GetValue(json))
            {
                cli.Out.WriteLine(r.Metrics.ToJson());
            }
            else
            {
                cli.Out.WriteLine($"{r.Split} split of {r.DataRoot}: {r.Sequences} sequences, {r.Metrics.Images} label frames evaluated");
                cli.Out.Write(r.Metrics.ToTable());
            }
            return ExitCodes.Success;
        });
        return cmd;
    }
}
