using System.CommandLine;
using EventSsm.Datasets;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Cli;

/// <summary>
/// The options several commands share, each defined once here. A command adds fresh instances (an option belongs to
/// one command tree, and tests build trees in parallel) and reads their values through <see cref="CliInvocation"/>
/// (<see cref="CliInvocation.Device"/>, <see cref="CliInvocation.ConfigDirectory"/>, <see cref="CliInvocation.Checkpoint"/>);
/// <c>--threads</c> is applied before the command runs and <c>--verbose</c>, on the root, by <see cref="Program"/>.
/// </summary>
public static class SharedOptions
{
    public const string ConfigDirName = "--config-dir";
    public const string CheckpointName = "--checkpoint";
    public const string DeviceName = "--device";
    public const string ThreadsName = "--threads";
    public const string VerboseName = "--verbose";
    public const string ShardName = "--shard";
    public const string AllocatorName = "--allocator";
    public const string PrecisionName = "--precision";

    /// <summary>The configs folder of commands that compose a config (replaces the former <c>--configs</c>).</summary>
    public static Option<string?> ConfigDir() => new(ConfigDirName)
    {
        Description = "The configs folder (default: the one next to the executable, else the nearest configs/ above the current folder).",
        HelpName = "DIR",
    };

    /// <summary>The weights a command loads.</summary>
    /// <param name="required">false where the config's <c>checkpoint=FILE</c> override may give it instead.</param>
    public static Option<string?> Checkpoint(bool required) => new(CheckpointName)
    {
        Description = required
            ? "Weights (.ckpt, .pt, .npz, .safetensors)."
            : "Weights (.ckpt, .pt, .npz, .safetensors); the same as the override checkpoint=FILE, which it replaces when both are given.",
        HelpName = "FILE",
        Required = required,
    };

    /// <summary>
    /// Where the model runs. <c>cuda</c> on a build without CUDA is a usage error that says how to get one, except with
    /// <c>--backend onnx</c> (<paramref name="backend"/>), where ONNX Runtime's CUDA provider is used and checked when
    /// the session starts.
    /// </summary>
    public static Option<Device> Device(Option<string>? backend = null)
    {
        var option = new Option<Device>(DeviceName)
        {
            Description = "Where the model runs: cpu or cuda.",
            HelpName = string.Join('|', TorchDevice.Names),
            DefaultValueFactory = _ => CPU,
            CustomParser = result =>
            {
                try
                {
                    string name = result.Tokens[^1].Value;
                    if (backend is not null && result.GetValue(backend) == "onnx" && name.Trim().Equals("cuda", StringComparison.OrdinalIgnoreCase))
                    {
                        // A device value only: torch.CUDA would initialise libtorch's CUDA backend, which this build lacks.
                        return new Device(TorchSharp.DeviceType.CUDA, 0);
                    }
                    return TorchDevice.Parse(name);
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    result.AddError(e.Message);
                    return CPU;
                }
            },
        };
        option.CompletionSources.Add([.. TorchDevice.Names]);
        return option;
    }

    /// <summary>torch's intra-op threads, set before the command runs.</summary>
    public static Option<int> Threads()
    {
        var option = new Option<int>(ThreadsName)
        {
            Description = "torch threads (0 leaves libtorch's default).",
            HelpName = "N",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError($"{ThreadsName} must be 0 or more");
            }
        });
        return option;
    }

    /// <summary>
    /// The part of the work a job of a job array does (docs/CLUSTER.md): i/N, i from 0; a wrong value is a usage error.
    /// </summary>
    /// <param name="what">What is split, for the help text ("sequences", "recordings").</param>
    public static Option<Shard> Shard(string what) => new(ShardName)
    {
        Description = $"Do only part i of N of the {what} (i from 0; sorted, every N-th from i), so N jobs (a Slurm array, "
            + "a Kubernetes Indexed Job) share the work; together they write what one run writes.",
        HelpName = "i/N",
        DefaultValueFactory = _ => Datasets.Shard.All,
        CustomParser = result =>
        {
            try
            {
                return Datasets.Shard.Parse(result.Tokens[^1].Value);
            }
            catch (ArgumentException e)
            {
                result.AddError(e.Message);
                return Datasets.Shard.All;
            }
        },
    };

    /// <summary>
    /// The C allocator behind libtorch's CPU tensors; on the root command, for every command. Another than the running
    /// one makes <see cref="Program.Main"/> start the command again with it preloaded (<see cref="AllocatorLaunch"/>).
    /// </summary>
    public static Option<string?> Allocator()
    {
        var option = new Option<string?>(AllocatorName)
        {
            Description = "The C allocator of tensor memory: glibc, or tcmalloc / jemalloc, preloaded by starting the command "
                + "again (Linux). tcmalloc: lower peak memory in training at the same speed, streaming frames about 6 % faster "
                + "(docs/PERFORMANCE.md \"Allocators\"); train, demo, predict and validate take it by themselves when it is "
                + "installed, glibc opts out.",
            HelpName = string.Join('|', Training.HostAllocator.Names),
            Recursive = true,
        };
        option.AcceptOnlyFromAmong([.. Training.HostAllocator.Names]);
        return option;
    }

    /// <summary>
    /// The arithmetic of a TorchSharp model's inference (docs/MODEL.md §11.3): fp32 (default) or bf16.
    /// </summary>
    public static Option<string> Precision()
    {
        var option = new Option<string>(PrecisionName)
        {
            Description = "Inference arithmetic of the TorchSharp model: fp32 (exact), or bf16 (bfloat16 except S5; about 1.3-1.5x "
                + "faster on CPUs with AVX512-BF16 or AMX, slower elsewhere; docs/MODEL.md §11.3).",
            HelpName = "fp32|bf16",
            DefaultValueFactory = _ => "fp32",
        };
        option.AcceptOnlyFromAmong("fp32", "bf16");
        return option;
    }

    /// <summary>
    /// The command's <c>--precision</c> as an <see cref="Model.InferencePrecision"/>; bf16 on a CPU without bfloat16
    /// instructions writes a one-line warning (it runs, but slower than fp32).
    /// </summary>
    internal static Model.InferencePrecision Precision(CliInvocation cli)
    {
        bool bf16 = cli.Parse.GetValue<string>(PrecisionName) == "bf16";
        if (bf16 && !CpuBFloat16.IsNative)
        {
            cli.Error.WriteLine("warning: this CPU has no bfloat16 instructions (AVX512-BF16, AMX or Arm BF16): bf16 is emulated and slower than fp32");
        }
        return bf16 ? Model.InferencePrecision.BFloat16 : Model.InferencePrecision.Float32;
    }

    /// <summary>Stack traces on errors; on the root command, for every command.</summary>
    public static Option<bool> Verbose() => new(VerboseName)
    {
        Description = "Print the stack trace of an error (otherwise an error is one line).",
        Recursive = true,
    };
}
