using System.CommandLine;
using System.Globalization;
using EventSsm.Workflows.Demo;

namespace EventSsm.Cli.Commands;

/// <summary>`eventssm demo`: the end-to-end job on built-in synthetic data (synth → preprocess → train → validate → predict → render).</summary>
public sealed class DemoCommand : ICliCommand
{
    public Command Create()
    {
        var output = new Option<string>("--out") { Description = "Where everything is written.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var steps = new Option<long>("--steps") { Description = "Training steps (fixed, so every machine gets the same result; about 5 min in all on 2 idle cores, README \"Demo results\").", DefaultValueFactory = _ => DemoPipeline.DefaultSteps };
        var minutes = new Option<double?>("--minutes") { Description = "Instead of --steps: a total time budget in minutes; training gets what the other stages leave." };
        var sequences = new Option<int>("--sequences") { Description = "Synthetic sequences (60/20/20 split).", DefaultValueFactory = _ => 10 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each synthetic sequence.", DefaultValueFactory = _ => 20.0 };
        var seed = new Option<int>("--seed") { Description = "Seed for data and training.", DefaultValueFactory = _ => 1 };
        var cmd = new Command("demo", "Run the end-to-end demo on built-in synthetic data: synthesise, preprocess, train, validate, predict, render.");
        foreach (Option o in new Option[] { output, steps, minutes, sequences, seconds, seed, SharedOptions.ConfigDir(), SharedOptions.Threads() })
        {
            cmd.Options.Add(o);
        }
        cmd.SetCliAction(cli =>
        {
            var options = new DemoOptions
            {
                OutDirectory = Path.GetFullPath(cli.GetValue(output)!),
                Steps = cli.GetValue(steps),
                Minutes = cli.GetValue(minutes),
                Sequences = cli.GetValue(sequences),
                SecondsPerSequence = cli.GetValue(seconds),
                Seed = cli.GetValue(seed),
                ConfigDirectory = cli.ConfigDirectory,
            };
            TextWriter o = cli.Out;
            DemoResult r = cli.WithProgress(progress => DemoPipeline.Run(options, o.WriteLine, progress, cli.Cancellation));
            o.WriteLine();
            o.WriteLine("Results on the synthetic test split: `predict` on every test recording, scored like `eventssm evaluate`");
            o.WriteLine("(Prophesee/COCO metrics as fractions):");
            o.WriteLine(r.Prediction.ToTable());
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"The original's streaming validation on the preprocessed test split: AP {r.Validation.AP:F3}, AP50 {r.Validation.AP50:F3}"));
            o.WriteLine();
            o.WriteLine($"viewer:      {r.Viewer}  (open it in a browser: frames, boxes, confidence slider, metrics)");
            o.WriteLine($"checkpoint:  {r.Checkpoint}");
            o.WriteLine($"predictions: {r.PredictionDirectory}  (re-score: eventssm evaluate --dataset gen1 --per-frame {r.GroundTruthDirectory} {r.PredictionDirectory})");
            o.WriteLine($"rendering:   {r.Rendering}");
            o.WriteLine($"results:     {r.ResultsJson}");
            o.WriteLine();
            o.WriteLine("Next, with real data (Prophesee Gen1):");
            o.WriteLine("  eventssm preprocess GEN1_RAW_DIR GEN1_PRE --dataset gen1");
            o.WriteLine("  eventssm train dataset=gen1 dataset.path=GEN1_PRE +experiment/gen1=small.yaml");
            o.WriteLine("  eventssm validate dataset=gen1 dataset.path=GEN1_PRE checkpoint=gen1_base.ckpt use_test_set=1 +experiment/gen1=base.yaml model.postprocess.confidence_threshold=0.001");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
