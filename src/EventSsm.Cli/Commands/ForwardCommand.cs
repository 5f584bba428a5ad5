using System.CommandLine;
using EventSsm.Model;
using EventSsm.Workflows.Parity;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm forward --checkpoint CKPT [overrides…] --input X.npy --out OUT.npz`: the network on a ready
/// (L, B, C, H, W) input, saving every stage, state, the head outputs and the detections for comparison.
/// </summary>
public sealed class ForwardCommand : ICliCommand
{
    public Command Create()
    {
        var overrides = new Argument<string[]>("overrides") { Description = "Config overrides, e.g. dataset=gen1 +experiment/gen1=small.yaml.", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<FileInfo>("--input") { Description = "Input chunk (L, B, C, H, W) .npy, uint8 or float32.", Required = true };
        var output = new Option<string>("--out") { Description = "Output .npz.", Required = true };
        var stateMode = new Option<string?>("--state-mode") { Description = "reference (the original: the state has no effect) or carry." };
        var stepScale = new Option<double?>("--step-scale") { Description = "S5 step scale (1 = trained rate)." };
        var stateIn = new Option<FileInfo?>("--state-in") { Description = "A previous `forward` output whose states to continue from." };
        var cmd = new Command("forward", "Run the detector on a pre-made input tensor and save all intermediate outputs (.npz).");
        cmd.Arguments.Add(overrides);
        foreach (Option o in new Option[] { SharedOptions.Checkpoint(required: true), input, output, stateMode, stepScale, stateIn,
            SharedOptions.ConfigDir(), SharedOptions.Threads() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new ForwardFileOptions
            {
                Checkpoint = cli.Checkpoint!,
                Input = cli.GetValue(input)!.FullName,
                Output = cli.GetValue(output)!,
                Overrides = cli.GetValue(overrides) ?? [],
                ConfigDirectory = cli.ConfigDirectory,
                StatesFrom = cli.GetValue(stateIn)?.FullName,
                StepScale = cli.GetValue(stepScale),
                StateMode = cli.GetValue(stateMode) is { } m ? DetectorOptions.ParseStateMode(m) : null,
            };
            (int stages, long[] head, int detections) = ForwardRunner.RunFile(options);
            cli.Out.WriteLine($"wrote {options.Output}: {stages} stages, head ({string.Join(", ", head)}), {detections} detections");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
