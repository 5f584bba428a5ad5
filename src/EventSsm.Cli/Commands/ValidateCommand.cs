using System.CommandLine;
using Spectre.Console;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;
using EventSsm.Model;
using EventSsm.Training;
using static TorchSharp.torch;

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
                + "+experiment/gen1=base.yaml use_test_set=1 batch_size.eval=8 model.postprocess.confidence_threshold=0.001",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var device = new Option<string>("--device")
        {
            Description = "Where the model runs: cpu or cuda.",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong("cpu", "cuda");
        var json = new Option<bool>("--json") { Description = "Print one JSON object (as `evaluate --json`) instead of the table." };

        var cmd = new Command("validate", "Evaluate a checkpoint on the validation or test split (the original's validation.py).");
        cmd.Arguments.Add(overrides);
        cmd.Options.Add(device);
        cmd.Options.Add(json);
        cmd.SetAction(parse =>
        {
            ConfigNode cfg = ConfigComposer.Compose(ConfigDirectory(), "val", parse.GetValue(overrides) ?? []);
            ConfigModifier.Apply(cfg);
            Device dev = ResolveDevice(parse.GetValue(device)!);
            torch.set_num_threads(Environment.ProcessorCount);

            string checkpoint = Text(cfg, "checkpoint");
            string split = cfg.GetBool("use_test_set") ? "test" : "val";
            DatasetKind kind = DatasetInfo.Parse(cfg.GetString("dataset.name"));
            PreprocessedDataset data = PreprocessedDataset.Load(Text(cfg, "dataset.path"), split, kind, cfg.GetString("dataset.ev_repr_name"));

            using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
            DetectorCheckpoint.Load(model, checkpoint);
            model.to(dev);
            ValidationOptions options = ValidationOptions.FromConfig(cfg, dev);
            DetectionMetrics metrics = Run(model, data, options);

            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(metrics.ToJson());
            }
            else
            {
                output.WriteLine($"{split} split of {data.Root}: {data.Sequences.Count} sequences, {metrics.Images} label frames evaluated");
                output.Write(metrics.ToTable());
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>Runs the validation with a progress bar on stderr when it is a terminal.</summary>
    private static DetectionMetrics Run(YoloXDetector model, PreprocessedDataset data, ValidationOptions options)
    {
        if (Console.IsErrorRedirected)
        {
            return Validator.Validate(model, data, options);
        }
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        DetectionMetrics? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask($"validate {data.Split}");
                var progress = new Progress(task);
                result = Validator.Validate(model, data, options, progress);
            });
        return result!;
    }

    /// <summary>Updates the Spectre task synchronously (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(ProgressTask task) : IProgress<ValidationProgress>
    {
        public void Report(ValidationProgress value)
        {
            task.MaxValue = value.Batches;
            task.Value = value.Batch;
            task.Description = $"validate: {value.LabelFrames} label frames";
        }
    }

    private static Device ResolveDevice(string name)
    {
        if (name == "cpu")
        {
            return CPU;
        }
        if (!torch.cuda.is_available())
        {
            throw new InvalidOperationException("--device cuda: CUDA is not available. This build ships only the CPU libtorch "
                + "package (libtorch-cpu-linux-x64); to run on a GPU, reference a CUDA runtime of the same libtorch version in "
                + "src/EventSsm/EventSsm.csproj (e.g. libtorch-cuda-12.8-linux-x64, or TorchSharp-cuda-linux instead of "
                + "TorchSharp), rebuild, and run on a machine with an NVIDIA driver.");
        }
        return CUDA;
    }

    /// <summary>The shipped configs next to the executable (the original's <c>config/</c> directory).</summary>
    private static string ConfigDirectory()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "configs");
        if (!File.Exists(Path.Combine(dir, "val.yaml")))
        {
            throw new DirectoryNotFoundException($"{dir}: config directory with val.yaml not found next to the executable");
        }
        return dir;
    }

    /// <summary>A value that must be set; YAML may have parsed a path such as 2024 as a number.</summary>
    private static string Text(ConfigNode cfg, string key) => cfg.Get(key)?.ToString() is { Length: > 0 } s && s != "???"
        ? s
        : throw new ConfigException($"config key '{key}' is not set (pass {key}=...)");
}
