using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Rendering;

/// <summary>What <see cref="RecordingRenderer.Render(string, string?, string?, string, RenderOptions)"/> wrote.</summary>
/// <param name="Target">The GIF or MP4, or the folder of numbered PNGs.</param>
public sealed record RenderResult(string Target, int Frames, long Events)
{
    /// <summary>What the user should know, e.g. that an MP4 became a GIF because ffmpeg is missing.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// Renders a recording with optional ground-truth and predicted boxes (<see cref="EventVideo"/>) to an animated GIF
/// (a target ending in .gif, one frame per step), an H.264 MP4 (.mp4, real-time rate; a GIF without ffmpeg) or a folder
/// of numbered PNGs (<see cref="RenderOutput"/>): the <c>render</c> command and the rendering of <c>predict</c>.
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
        string? note = null;
        RenderedFile file = RenderOutput.Write(target, EventVideo.Frames(events, labels, predictions, options), options.StepUs,
            RenderOutput.FormatOf(target), m => note = m);
        return new RenderResult(file.Path, file.Frames, events.Count) { Note = note };
    }
}
