using System.CommandLine;
using EventSsm.Config;

namespace EventSsm.Cli.Commands;

/// <summary>
/// `eventssm config [train|val] [overrides…]`: prints the config a command would run with, as YAML (like hydra's
/// <c>--cfg job</c>), e.g. <c>eventssm config train dataset=gen1 +experiment/gen1=small.yaml</c>.
/// </summary>
public sealed class ConfigCommand : ICliCommand
{
    public Command Create()
    {
        var words = new Argument<string[]>("[train|val] OVERRIDES")
        {
            Description = "The primary config, train (the default; what `train` uses) or val (what `validate`, `predict` and "
                + "`frequency-sweep` use), then config overrides as those commands take them.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var composedOnly = new Option<bool>("--composed")
        {
            Description = "Print the composed config without the original's dynamic changes (input padding, partition size, class count).",
        };
        var cmd = new Command("config", "Print the resolved config for a list of overrides (like hydra's --cfg job).");
        cmd.Arguments.Add(words);
        cmd.Options.Add(composedOnly);
        cmd.Options.Add(SharedOptions.ConfigDir());
        cmd.SetCliAction(cli =>
        {
            string[] all = cli.GetValue(words) ?? [];
            bool named = all.Length > 0 && RunConfig.PrimaryNames.Contains(all[0]);
            string primary = named ? all[0] : RunConfig.PrimaryNames[0];
            ConfigNode cfg = RunConfig.Resolve(cli.ConfigDirectory, primary, named ? all[1..] : all, modify: !cli.GetValue(composedOnly));
            cli.Out.Write(cfg.ToYaml());
            return ExitCodes.Success;
        });
        return cmd;
    }
}
