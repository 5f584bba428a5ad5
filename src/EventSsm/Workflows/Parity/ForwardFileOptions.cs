using EventSsm.Model.Ssm;

namespace EventSsm.Workflows.Parity;

/// <summary>What <see cref="ForwardRunner.RunFile"/> runs: the <c>forward</c> command's settings.</summary>
public sealed record ForwardFileOptions
{
    /// <summary>Weights (.ckpt, .pt, .npz, .safetensors).</summary>
    public required string Checkpoint { get; init; }

    /// <summary>The input chunk: an (L, B, C, H, W) .npy of uint8 or float32.</summary>
    public required string Input { get; init; }

    /// <summary>The .npz written (see <see cref="ForwardRunner.Save"/>).</summary>
    public required string Output { get; init; }

    /// <summary>Config overrides for checkpoints without an embedded config (e.g. <c>dataset=gen1 +experiment/gen1=small.yaml</c>).</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The configs folder; null: found by <see cref="Config.ConfigLocator"/>.</summary>
    public string? ConfigDirectory { get; init; }

    /// <summary>A previous output whose states the run continues from.</summary>
    public string? StatesFrom { get; init; }

    /// <summary>S5 step scale (1 = the trained rate); null: the config's.</summary>
    public double? StepScale { get; init; }

    /// <summary>null: the config's state mode.</summary>
    public S5StateMode? StateMode { get; init; }
}
