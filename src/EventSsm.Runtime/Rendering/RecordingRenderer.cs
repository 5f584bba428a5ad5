using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Rendering;

/// <summary>What <see cref="RecordingRenderer.Render(string, string?, string?, string, RenderOptions)"/> wrote.</summary>
/// <param name="Target">The GIF, or the folder of numbered PNGs.</param>
public sealed record RenderResult(string Target, int Frames, long Events);

/// <summary>
/// Renders a recording with optional ground-truth and predicted boxes (<see cref="EventVideo"/>) to an animated GIF
/// (a target ending in .gif, one frame per step) or to a folder of numbered PNGs: the <c>render</c> command and the
/// rendering of <c>predict</c>.
/// </summary>
public static class RecordingRenderer
{
    /// <summary>Renders <paramref name="recording"/> (any format <see cref="EventRecording"/> opens) with boxes read from Prophesee .npy files.</summary>
    public static RenderResult Render(string recording, string? labelsFile, string? predictionsFile, string target, RenderOptions options)
    {
        BoundingBox[]? labels = labelsFile is null ? null : BoundingBoxFile.Read(labelsFile);
        BoundingBox[]? predictions = predictionsFile is null ? null : BoundingBoxFile.Read(predictionsFile);
        return Render(recording, labels, predictions, target, options);
    }

    public static RenderResult Render(string recording, IReadOnlyList<BoundingBox>? labels, IReadOnlyList<BoundingBox>? predictions,
        string target, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(recording);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        using IEventReader events = EventRecording.Open(recording);
        int frames = WriteFrames(EventVideo.Frames(events, labels, predictions, options), target, options.StepUs);
        return new RenderResult(target, frames, events.Count);
    }

    /// <summary>Writes <paramref name="frames"/> to a GIF (one frame per <paramref name="stepUs"/>) or a PNG folder; returns the count.</summary>
    public static int WriteFrames(IEnumerable<RgbImage> frames, string target, long stepUs)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(target);
        if (target.EndsWith(".gif", StringComparison.OrdinalIgnoreCase))
        {
            // GIF delays are in centiseconds.
            return GifWriter.WriteFile(target, frames, (int)Math.Max(1, Math.Round(stepUs / 10_000.0)));
        }
        Directory.CreateDirectory(target);
        int count = 0;
        foreach (RgbImage frame in frames)
        {
            PngFile.Write(Path.Combine(target, $"{count:D6}.png"), frame);
            count++;
        }
        return count;
    }
}
