using EventSsm.Model;
using EventSsm.Rendering;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Prediction;

/// <summary>What <c>eventssm view</c> shows and how (<see cref="RecordingViewer"/>).</summary>
public sealed record ViewOptions
{
    /// <summary>An event recording (.dat, .raw, .h5) or a preprocessed sequence folder (labels_v2 + event_representations_v2).</summary>
    public required string Input { get; init; }

    /// <summary>The HTML file to write.</summary>
    public required string Output { get; init; }

    /// <summary>Predicted boxes: a Prophesee .npy, or a folder holding &lt;name&gt;_bbox.npy.</summary>
    public string? Predictions { get; init; }

    /// <summary>Ground truth; null looks for &lt;name&gt;_bbox.npy next to the recording.</summary>
    public string? Labels { get; init; }

    /// <summary>Runs <c>predict</c> with this checkpoint first (its files go next to the page).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Config overrides for a checkpoint without an embedded config.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The configs folder; null: found by <see cref="Config.ConfigLocator"/>.</summary>
    public string? ConfigDirectory { get; init; }

    /// <summary>A dataset config name (classes and box filter); null: the checkpoint's, else gen4 for a 1280×720 sensor, else gen1.</summary>
    public string? Dataset { get; init; }

    /// <summary>Distance between successive frames' window ends.</summary>
    public long StepUs { get; init; } = 50_000;

    /// <summary>Each frame shows the events in [T − WindowUs, T].</summary>
    public long WindowUs { get; init; } = 50_000;

    /// <summary>Where the page's confidence slider starts.</summary>
    public double DisplayConfidence { get; init; } = 0.3;

    /// <summary>The threshold of the prediction files written with <see cref="Checkpoint"/> (as <c>predict --conf</c>).</summary>
    public double FileConfidence { get; init; } = 0.1;

    /// <summary>Score each label time against the detections at exactly that time (RVT) instead of ±50 ms (toolbox).</summary>
    public bool PerFrame { get; init; }

    /// <summary>Include the representation view (stacked-histogram bins).</summary>
    public bool Bins { get; init; } = true;

    /// <summary>Page bytes the representation bins may take.</summary>
    public long BinsBudgetBytes { get; init; } = 6L << 20;

    /// <summary>The colouring the page opens with.</summary>
    public EventColoring Coloring { get; init; } = EventColoring.Binary;

    /// <summary>Where <see cref="Checkpoint"/> runs.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>
    /// The model's inference arithmetic when predicting with <see cref="Checkpoint"/> (docs/MODEL.md §11.3).
    /// </summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;
}
