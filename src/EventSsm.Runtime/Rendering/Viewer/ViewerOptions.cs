namespace EventSsm.Rendering.Viewer;

/// <summary>Settings of a <see cref="ViewerDocument"/>.</summary>
public sealed record ViewerOptions
{
    /// <summary>Distance between successive frames' window ends (the page plays one frame per step: real time at 1×).</summary>
    public long StepUs { get; init; } = 50_000;

    /// <summary>Each frame shows the events in [T − WindowUs, T].</summary>
    public long WindowUs { get; init; } = 50_000;

    public ClassStyle Classes { get; init; } = ClassStyle.Gen1;

    /// <summary>Initial position of the page's confidence slider (predictions below it are hidden, not removed).</summary>
    public double DisplayConfidence { get; init; } = 0.3;

    /// <summary>
    /// Predictions below this score are left out of the page to keep it small (the slider cannot go lower); the
    /// metrics shown are computed from all predictions before this cut.
    /// </summary>
    public double MinStoredConfidence { get; init; } = 0.05;

    /// <summary>The colouring the page opens with (both can be chosen in the page).</summary>
    public EventColoring Coloring { get; init; } = EventColoring.Binary;

    /// <summary>
    /// Page bytes (compressed, base64) the representation bins may take; when more frames would exceed it, every other stored frame is
    /// dropped and only every 2nd (4th, …) frame keeps its bins, so they stay evenly spread over the recording.
    /// </summary>
    public long RepresentationBudgetBytes { get; init; } = 6L << 20;

    /// <summary>
    /// The page size the bins may fill up to (docs/VIEWER.md, "Size"): 20 MB, the budget for a 60 s Gen1 recording.
    /// Frames and boxes always go in; the bins get what they leave, up to <see cref="RepresentationBudgetBytes"/>.
    /// </summary>
    public long PageBudgetBytes { get; init; } = 20_000_000;

    public void Validate()
    {
        if (StepUs <= 0 || WindowUs <= 0)
        {
            throw new ArgumentException($"viewer step {StepUs} µs and window {WindowUs} µs must be positive");
        }
        if (!(DisplayConfidence is >= 0 and <= 1) || !(MinStoredConfidence is >= 0 and <= 1))
        {
            throw new ArgumentException($"confidences must be in [0, 1], got display {DisplayConfidence}, stored {MinStoredConfidence}");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(RepresentationBudgetBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(PageBudgetBytes);
    }
}
