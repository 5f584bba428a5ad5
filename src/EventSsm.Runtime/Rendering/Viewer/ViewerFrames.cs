using EventSsm.Events;
using EventSsm.Representations;

namespace EventSsm.Rendering.Viewer;

/// <summary>Fills a <see cref="ViewerDocument"/> from an event recording, one window at a time (bounded memory).</summary>
public static class ViewerFrames
{
    /// <summary>
    /// Adds one frame per window end T in <paramref name="ends"/>: the polarity plane of the closed window
    /// [T − window, T] (<see cref="EventFrames.Plane"/>) and, when <paramref name="bins"/> is given, the stacked
    /// histogram of the same events for the representation view (the budget decides which frames keep theirs).
    /// </summary>
    public static void AddEvents(ViewerDocument document, IEventReader reader, IReadOnlyList<long> ends,
        StackedHistogram? bins = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(ends);
        if (reader.Width != document.Width || reader.Height != document.Height)
        {
            throw new ArgumentException($"{reader.Name}: recording is {reader.Width}×{reader.Height}, the page {document.Width}×{document.Height}");
        }
        if (bins is not null)
        {
            if (bins.Width != reader.Width || bins.Height != reader.Height)
            {
                throw new ArgumentException($"histogram {bins.Width}×{bins.Height} does not match the {reader.Width}×{reader.Height} recording");
            }
            document.SetRepresentationLayout(new RepresentationLayout(
                $"stacked histogram, {bins.Bins} bins of the {document.Options.WindowUs / 1000.0:0.###} ms window", bins.Bins, bins.Height, bins.Width, bins.CountCutoff));
        }
        byte[] plane = new byte[reader.Width * reader.Height];
        byte[]? histogram = bins is null ? null : new byte[bins.Channels * bins.Height * bins.Width];
        foreach (EventWindow window in EventWindows.Closed(reader, ends, document.Options.WindowUs))
        {
            ct.ThrowIfCancellationRequested();
            EventFrames.Plane(window.Events, 0, window.Events.Count, plane);
            int frame = document.FrameCount;
            document.AddFrame(window.EndUs, plane);
            if (bins is not null && document.WantsRepresentation(frame))
            {
                bins.Build(window.Events, histogram);
                document.AddRepresentation(frame, histogram);
            }
        }
    }
}
