namespace EventSsm.Rendering;

/// <summary>How ground truth and predictions are placed when both are drawn.</summary>
public enum PanelLayout
{
    /// <summary>Ground truth left, predictions right.</summary>
    SideBySide,

    /// <summary>Predictions above ground truth, as the original's W&amp;B callback.</summary>
    Stacked,
}

/// <summary>Options of <see cref="EventVideo"/>.</summary>
public sealed record RenderOptions
{
    /// <summary>Distance between successive frames' window ends.</summary>
    public long StepUs { get; init; } = 50_000;

    /// <summary>Each frame shows the events in [T − WindowUs, T] (closed, as docs/DATA.md §2.4).</summary>
    public long WindowUs { get; init; } = 50_000;

    /// <summary>Integer enlargement (nearest neighbour) before boxes and text are drawn.</summary>
    public int Scale { get; init; } = 1;

    public EventColoring Coloring { get; init; } = EventColoring.Binary;

    public PanelLayout Layout { get; init; } = PanelLayout.SideBySide;

    public ClassStyle Classes { get; init; } = ClassStyle.Gen1;

    /// <summary>First window end; default one step (one step after the first event when that is later).</summary>
    public long? StartUs { get; init; }

    public int MaxFrames { get; init; } = int.MaxValue;

    public void Validate()
    {
        if (StepUs <= 0 || WindowUs <= 0 || Scale is <= 0 or > 16 || MaxFrames <= 0 || StartUs < 0)
        {
            throw new ArgumentException($"invalid render options: step {StepUs} µs, window {WindowUs} µs, scale {Scale}, max frames {MaxFrames}, start {StartUs}");
        }
    }
}
