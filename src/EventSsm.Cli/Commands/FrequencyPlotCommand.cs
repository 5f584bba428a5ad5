using System.CommandLine;
using EventSsm.Workflows.Frequency;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm frequency-plot A/sweep.csv B/sweep.csv --out both.png`: overlays the series of several sweeps.</summary>
public sealed class FrequencyPlotCommand : ICliCommand
{
    public Command Create()
    {
        var csvs = new Argument<string[]>("CSV") { Description = "sweep.csv files written by frequency-sweep.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "PNG to write.", Required = true };
        var cmd = new Command("frequency-plot", "Plot mAP against frequency for one or more sweep.csv files (one line per label).");
        cmd.Arguments.Add(csvs);
        cmd.Options.Add(output);
        cmd.SetCliAction(cli =>
        {
            string png = cli.GetValue(output)!;
            (int series, int points) = FrequencySweep.PlotFiles(cli.GetValue(csvs)!, png);
            cli.Out.WriteLine($"wrote {png} ({series} series, {points} points)");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
