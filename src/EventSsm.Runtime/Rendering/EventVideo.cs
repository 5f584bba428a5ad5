using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Rendering;

/// <summary>
/// Turns a recording into frames: for each window end T = start, start + step, … the events in [T − window, T],
/// with the boxes of the latest label time t ≤ T that is less than one step old (so a 20 Hz label stays on screen
/// for one step and then disappears); ground truth and predictions go into separate panels when both are given.
/// </summary>
public static class EventVideo
{
    public static IEnumerable<RgbImage> Frames(EventArray events, IReadOnlyList<BoundingBox>? labels,
        IReadOnlyList<BoundingBox>? predictions, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(events);
        long firstEvent = events.Count > 0 ? events.T[0] : 0;
        long lastEvent = events.Count > 0 ? events.T[events.Count - 1] : 0;
        return Frames(firstEvent, lastEvent, labels, predictions, options,
            (t, window) => (events, events.LowerBound(t - window), events.UpperBound(t)));
    }

    /// <summary>
    /// The same frames read window by window from a recording, so memory stays bounded by one window whatever the file
    /// size (multi-GB .dat/.raw/.h5 recordings).
    /// </summary>
    public static IEnumerable<RgbImage> Frames(IEventReader reader, IReadOnlyList<BoundingBox>? labels,
        IReadOnlyList<BoundingBox>? predictions, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var buffer = new EventBuffer(reader.Width, reader.Height);
        long firstEvent = reader.Count > 0 ? reader.TimeAt(0) : 0;
        long lastEvent = reader.Count > 0 ? reader.TimeAt(reader.Count - 1) : 0;
        return Frames(firstEvent, lastEvent, labels, predictions, options, (t, window) =>
        {
            EventArray w = EventWindows.Read(reader, t, window, buffer).Events;
            return (w, 0, w.Count);
        });
    }

    private static IEnumerable<RgbImage> Frames(long firstEvent, long lastEvent, IReadOnlyList<BoundingBox>? labels,
        IReadOnlyList<BoundingBox>? predictions, RenderOptions options, Func<long, long, (EventArray Events, int Lo, int Hi)> window)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        BoxTimeline? gt = labels is null ? null : new BoxTimeline(labels);
        BoxTimeline? pred = predictions is null ? null : new BoxTimeline(predictions);
        long last = Math.Max(lastEvent, Math.Max(gt?.LastTime ?? 0, pred?.LastTime ?? 0));
        // One step in, or one step after the first event for recordings on an absolute clock (DSEC's t + t_offset, a
        // camera that ran before recording), which would otherwise start with hours of empty frames.
        long start = options.StartUs ?? (firstEvent > options.StepUs ? firstEvent + options.StepUs : options.StepUs);
        return Iterate();

        IEnumerable<RgbImage> Iterate()
        {
            int frames = 0;
            for (long t = start; t <= last + options.StepUs - 1 && frames < options.MaxFrames; t += options.StepUs, frames++)
            {
                (EventArray events, int lo, int hi) = window(t, options.WindowUs);
                yield return Frame(events, lo, hi, gt, pred, t, options);
            }
        }
    }

    /// <summary>The frame whose window ends at <paramref name="t"/>.</summary>
    public static RgbImage Frame(EventArray events, IReadOnlyList<BoundingBox>? labels, IReadOnlyList<BoundingBox>? predictions,
        long t, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentNullException.ThrowIfNull(events);
        return Frame(events, events.LowerBound(t - options.WindowUs), events.UpperBound(t),
            labels is null ? null : new BoxTimeline(labels), predictions is null ? null : new BoxTimeline(predictions), t, options);
    }

    private static RgbImage Frame(EventArray events, int lo, int hi, BoxTimeline? gt, BoxTimeline? pred, long t, RenderOptions o)
    {
        RgbImage baseImage = EventFrames.FromEvents(events, lo, hi, o.Coloring).Upscale(o.Scale);
        if (gt is null || pred is null)
        {
            BoxTimeline? only = gt ?? pred;
            if (only is not null)
            {
                BoxPainter.Draw(baseImage, only.At(t, o.StepUs), o.Classes, o.Scale, showScore: pred is not null);
            }
            return baseImage;
        }
        RgbImage gtPanel = baseImage;
        RgbImage predPanel = new(baseImage.Width, baseImage.Height);
        baseImage.Pixels.CopyTo(predPanel.Pixels, 0);
        BoxPainter.Draw(gtPanel, gt.At(t, o.StepUs), o.Classes, o.Scale);
        BoxPainter.Draw(predPanel, pred.At(t, o.StepUs), o.Classes, o.Scale, showScore: true);
        Caption(gtPanel, "GT");
        Caption(predPanel, "PRED");
        const int gap = 2;
        bool side = o.Layout == PanelLayout.SideBySide;
        var frame = side
            ? new RgbImage(2 * gtPanel.Width + gap, gtPanel.Height)
            : new RgbImage(gtPanel.Width, 2 * gtPanel.Height + gap);
        frame.Fill(Rgb.White);
        if (side)
        {
            frame.Blit(gtPanel, 0, 0);
            frame.Blit(predPanel, gtPanel.Width + gap, 0);
        }
        else
        {
            frame.Blit(predPanel, 0, 0);
            frame.Blit(gtPanel, 0, gtPanel.Height + gap);
        }
        return frame;
    }

    private static void Caption(RgbImage panel, string text)
    {
        int x = panel.Width - BitmapFont.MeasureWidth(text) - 3;
        int y = panel.Height - BitmapFont.GlyphHeight - 3;
        panel.FillRect(x - 1, y - 1, x + BitmapFont.MeasureWidth(text) + 1, y + BitmapFont.GlyphHeight + 1, Rgb.Black);
        BitmapFont.Draw(panel, x, y, text, Rgb.White);
    }

    /// <summary>Boxes grouped by time for "latest label time ≤ T" queries.</summary>
    private sealed class BoxTimeline
    {
        private readonly long[] _times;
        private readonly List<BoundingBox>[] _groups;

        public BoxTimeline(IReadOnlyList<BoundingBox> boxes)
        {
            SortedDictionary<long, List<BoundingBox>> byTime = [];
            foreach (BoundingBox b in boxes)
            {
                if (!byTime.TryGetValue(b.T, out List<BoundingBox>? g))
                {
                    byTime[b.T] = g = [];
                }
                g.Add(b);
            }
            _times = byTime.Keys.ToArray();
            _groups = byTime.Values.ToArray();
        }

        public long LastTime => _times.Length > 0 ? _times[^1] : 0;

        public IReadOnlyList<BoundingBox> At(long t, long maxAge)
        {
            int i = Array.BinarySearch(_times, t);
            if (i < 0)
            {
                i = ~i - 1;
            }
            return i >= 0 && t - _times[i] < maxAge ? _groups[i] : [];
        }
    }
}
