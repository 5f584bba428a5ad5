using System.Globalization;
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
        long lastEvent = events.Count > 0 ? events.T[events.Count - 1] : 0;
        return Frames(lastEvent, labels, predictions, options,
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
        long lastEvent = reader.Count > 0 ? reader.TimeAt(reader.Count - 1) : 0;
        return Frames(lastEvent, labels, predictions, options, (t, window) =>
        {
            EventArray w = EventWindows.Read(reader, t, window, buffer).Events;
            return (w, 0, w.Count);
        });
    }

    private static IEnumerable<RgbImage> Frames(long lastEvent, IReadOnlyList<BoundingBox>? labels,
        IReadOnlyList<BoundingBox>? predictions, RenderOptions options, Func<long, long, (EventArray Events, int Lo, int Hi)> window)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        BoxTimeline? gt = labels is null ? null : new BoxTimeline(labels);
        BoxTimeline? pred = predictions is null ? null : new BoxTimeline(predictions);
        long last = Math.Max(lastEvent, Math.Max(gt?.LastTime ?? 0, pred?.LastTime ?? 0));
        long start = options.StartUs ?? options.StepUs;
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

    private static RgbImage Frame(EventArray events, int lo, int hi, BoxTimeline? gt, BoxTimeline? pred, long t, RenderOptions o) =>
        Compose(EventFrames.FromEvents(events, lo, hi, o.Coloring), gt?.At(t, o.StepUs), pred?.At(t, o.StepUs), t, o);

    /// <summary>
    /// Draws one frame from its sensor-size event image (e.g. <see cref="EventFrames.FromHistogram"/> of a model input):
    /// the boxes (null: that kind is not shown; predictions below <see cref="RenderOptions.MinConfidence"/> are left
    /// out) in the options' layout, captions, and the legend bar with time <paramref name="t"/>.
    /// </summary>
    public static RgbImage Compose(RgbImage sensorImage, IReadOnlyList<BoundingBox>? labels, IReadOnlyList<BoundingBox>? predictions,
        long t, RenderOptions o)
    {
        ArgumentNullException.ThrowIfNull(sensorImage);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        int scale = o.ScaleFor(sensorImage.Width);
        RgbImage baseImage = sensorImage.Upscale(scale);
        if (ReferenceEquals(baseImage, sensorImage))
        {
            baseImage = new RgbImage(sensorImage.Width, sensorImage.Height);
            sensorImage.Pixels.CopyTo(baseImage.Pixels, 0);
        }
        IReadOnlyList<BoundingBox>? gt = labels;
        IReadOnlyList<BoundingBox>? pred = predictions;
        IReadOnlyList<BoundingBox> gtBoxes = gt ?? [];
        BoundingBox[] predBoxes = [.. (pred ?? []).Where(b => b.ClassConfidence >= o.MinConfidence)];
        string predCaption = string.Create(CultureInfo.InvariantCulture, $"PRED >= {o.MinConfidence:0.00}");
        RgbImage frame;
        if (gt is null || pred is null || o.Layout == PanelLayout.Overlay)
        {
            frame = baseImage;
            BoxPainter.Draw(frame, gtBoxes, o.Classes, scale, stroke: pred is null ? BoxStroke.Solid : BoxStroke.Dashed, tags: pred is null);
            BoxPainter.Draw(frame, predBoxes, o.Classes, scale, showScore: true);
            if (pred is not null)
            {
                Caption(frame, gt is null ? predCaption : predCaption + ", GT DASHED", scale);
            }
        }
        else
        {
            RgbImage gtPanel = baseImage;
            RgbImage predPanel = new(baseImage.Width, baseImage.Height);
            baseImage.Pixels.CopyTo(predPanel.Pixels, 0);
            BoxPainter.Draw(gtPanel, gtBoxes, o.Classes, scale);
            BoxPainter.Draw(predPanel, predBoxes, o.Classes, scale, showScore: true);
            Caption(gtPanel, "GT", scale);
            Caption(predPanel, predCaption, scale);
            const int gap = 2;
            bool side = o.Layout == PanelLayout.SideBySide;
            frame = side
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
        }
        return o.Legend ? WithLegend(frame, t, o.Classes, scale) : frame;
    }

    /// <summary>Height of the legend bar at an image scale.</summary>
    public static int LegendHeight(int scale) => BitmapFont.GlyphHeight * BoxPainter.TextScale(scale) + 6;

    /// <summary>The frame with a black bar under it: "t = 12.350 s" on the left, the class colours on the right.</summary>
    private static RgbImage WithLegend(RgbImage frame, long t, ClassStyle classes, int scale)
    {
        int ts = BoxPainter.TextScale(scale);
        int bar = LegendHeight(scale);
        var result = new RgbImage(frame.Width, frame.Height + bar);
        result.Blit(frame, 0, 0);
        result.FillRect(0, frame.Height, result.Width, result.Height, Rgb.Black);
        int y = frame.Height + 3;
        BitmapFont.Draw(result, 3, y, string.Create(CultureInfo.InvariantCulture, $"t = {t / 1e6:0.000} s"), Rgb.White, ts);
        int x = result.Width - 3;
        for (int k = classes.Names.Count - 1; k >= 0; k--)
        {
            string name = classes.Names[k];
            int w = BitmapFont.MeasureWidth(name, ts);
            int sw = BitmapFont.GlyphHeight * ts;
            int start = x - w - sw - 3;
            if (start < BitmapFont.MeasureWidth("t = 000.000 s", ts) + 10)
            {
                break; // no room: the time stays readable
            }
            result.FillRect(start, y, start + sw, y + sw, classes.Colors[k]);
            BitmapFont.Draw(result, start + sw + 3, y, name, Rgb.White, ts);
            x = start - 2 * BitmapFont.Advance * ts;
        }
        return result;
    }

    private static void Caption(RgbImage panel, string text, int scale)
    {
        int ts = BoxPainter.TextScale(scale);
        int w = BitmapFont.MeasureWidth(text, ts);
        int h = BitmapFont.GlyphHeight * ts;
        int x = panel.Width - w - 3;
        int y = panel.Height - h - 3;
        panel.FillRect(x - 1, y - 1, x + w + 1, y + h + 1, Rgb.Black);
        BitmapFont.Draw(panel, x, y, text, Rgb.White, ts);
    }
}
