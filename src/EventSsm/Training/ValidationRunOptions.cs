using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>What <see cref="ValidationRun.Run"/> evaluates.</summary>
public sealed record ValidationRunOptions
{
    /// <summary>
    /// Overrides of the <c>val</c> config as in the original's <c>validation.py</c>: <c>dataset=gen1 dataset.path=DIR
    /// checkpoint=FILE +experiment/gen1=base.yaml [use_test_set=1] …</c>.
    /// </summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The weights; null: the config's <c>checkpoint</c>.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>The configs folder; null: found by <see cref="Config.ConfigLocator"/>.</summary>
    public string? ConfigDirectory { get; init; }

    public Device Device { get; init; } = CPU;

    /// <summary>The model's inference arithmetic (docs/MODEL.md §11.3).</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;
}
