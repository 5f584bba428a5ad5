using System.CommandLine;
using EventSsm.Rendering;
using EventSsm.Training;
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
        cmd.SetAction(parse =>
        {
            var rows = new List<FrequencySweepRow>();
            foreach (string path in parse.GetValue(csvs)!)
            {
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"{path}: sweep CSV not found", path);
                }
                rows.AddRange(FrequencySweep.ReadCsv(path));
            }
            string png = parse.GetValue(output)!;
            PngFile.Write(png, FrequencySweep.Plot(rows));
            parse.InvocationConfiguration.Output.WriteLine($"wrote {png} ({rows.Select(r => r.Label).Distinct().Count()} series, {rows.Count} points)");
            return 0;
        });
        return cmd;
    }
}
