using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>What <see cref="TrainingRun.Run"/> does: a new run from config overrides, or the continuation of a run folder.</summary>
public sealed record TrainingRunOptions
{
    /// <summary>Overrides of the <c>train</c> config as in the original (<c>dataset=gen1 +experiment/gen1=small.yaml …</c>).</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Run folder of a new run; null: <c>runs/&lt;date-time&gt;</c>.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>
    /// A run folder to continue from its <c>checkpoints/last.safetensors</c> with its own <c>config.yaml</c>
    /// (<see cref="Overrides"/> and <see cref="RunDirectory"/> are then not used).
    /// </summary>
    public string? ResumeDirectory { get; init; }

    /// <summary>Seed of sampling and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>The configs folder; null: found by <see cref="Config.ConfigLocator"/>.</summary>
    public string? ConfigDirectory { get; init; }

    public Device Device { get; init; } = CPU;
}
