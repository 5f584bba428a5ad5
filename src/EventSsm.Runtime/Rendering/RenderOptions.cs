namespace EventSsm.Rendering;

/// <summary>How ground truth and predictions are placed when both are drawn.</summary>
public enum PanelLayout
{
    /// <summary>Ground truth left, predictions right.</summary>
    SideBySide,

    /// <summary>Predictions above ground truth, as the original's W&amp;B callback.</summary>
    Stacked,

    /// <summary>One panel: predictions solid with tags, ground truth dashed.</summary>
    Overlay,
}

/// <summary>Options of <see cref="EventVideo"/>.</summary>
public sealed record RenderOptions
{
    /// <summary>Distance between successive frames' window ends.</summary>
    public long StepUs { get; init; } = 50_000;

    /// <summary>Each frame shows the events in [T − WindowUs, T] (closed, as docs/DATA.md §2.4).</summary>
    public long WindowUs { get; init; } = 50_000;

    /// <summary>Integer enlargement (nearest neighbour) before boxes and text are drawn; 0 = <see cref="AutoScale"/>.</summary>
    public int Scale { get; init; } = 1;

    /// <summary>
    /// The display threshold: predictions scored below it are not drawn. It is separate from the threshold the
    /// prediction files were written with (<c>predict --conf</c>, 0.1), which keeps boxes for evaluation.
    /// </summary>
    public double MinConfidence { get; init; } = 0.3;

    /// <summary>A bar under the frame with the time (bottom-left) and the class colours.</summary>
    public bool Legend { get; init; } = true;

    public EventColoring Coloring { get; init; } = EventColoring.Binary;

    public PanelLayout Layout { get; init; } = PanelLayout.SideBySide;

    public ClassStyle Classes { get; init; } = ClassStyle.Gen1;

    /// <summary>First window end; default one step.</summary>
    public long? StartUs { get; init; }

    public int MaxFrames { get; init; } = int.MaxValue;

    /// <summary>2 for sensors narrower than 640 px (Gen1's 304×240 is small on screen), else 1.</summary>
    public static int AutoScale(int sensorWidth) => sensorWidth < 640 ? 2 : 1;

    /// <summary>The enlargement for a sensor of <paramref name="sensorWidth"/> pixels.</summary>
    public int ScaleFor(int sensorWidth) => Scale > 0 ? Scale : AutoScale(sensorWidth);

    public void Validate()
    {
        if (StepUs <= 0 || WindowUs <= 0 || Scale is < 0 or > 16 || MaxFrames <= 0 || StartUs < 0 || !(MinConfidence is >= 0 and <= 1))
        {
            throw new ArgumentException($"invalid render options: step {StepUs} µs, window {WindowUs} µs, scale {Scale}, max frames {MaxFrames}, start {StartUs}, show-conf {MinConfidence}");
        }
    }
}
