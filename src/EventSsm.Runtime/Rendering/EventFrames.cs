using EventSsm.Events;

namespace EventSsm.Rendering;

/// <summary>How raw events are coloured.</summary>
public enum EventColoring
{
    /// <summary>The original's view (docs/DATA.md §6): grey 127, white ON, black OFF, the last event wins.</summary>
    Binary,

    /// <summary>Black background, ON blue, OFF red, the last event wins.</summary>
    Polarity,
}

/// <summary>Event images as the original draws them (docs/DATA.md §6).</summary>
public static class EventFrames
{
    public static readonly Rgb OnColor = new(0, 153, 255);
    public static readonly Rgb OffColor = new(255, 51, 51);

    /// <summary>
    /// From a stacked histogram (C, H, W) whose first C/2 channels are OFF and the rest ON (docs/DATA.md §2.5):
    /// <c>callbacks/viz_base.py::ev_repr_to_img</c>: grey 127; ON sum &gt; OFF sum → white, ON &lt; OFF → black.
    /// </summary>
    public static RgbImage FromHistogram(ReadOnlySpan<byte> histogram, int channels, int height, int width)
    {
        if (channels <= 0 || channels % 2 != 0)
        {
            throw new ArgumentException($"a stacked histogram needs an even channel count, got {channels}");
        }
        long plane = (long)height * width;
        if (histogram.Length != channels * plane)
        {
            throw new ArgumentException($"histogram has {histogram.Length} values, expected {channels}×{height}×{width}");
        }
        var img = new RgbImage(width, height);
        int half = channels / 2;
        for (int i = 0; i < plane; i++)
        {
            int off = 0;
            int on = 0;
            for (int c = 0; c < half; c++)
            {
                off += histogram[(int)(c * plane) + i];
                on += histogram[(int)((c + half) * plane) + i];
            }
            Rgb color = on > off ? Rgb.White : on < off ? Rgb.Black : Rgb.Grey;
            img[i % width, i / width] = color;
        }
        return img;
    }

    /// <summary>
    /// From raw events [start, end) in time order: <c>vis_utils.make_binary_histo</c> (grey, white ON, black OFF,
    /// the last event at a pixel wins) or the polarity colouring.
    /// </summary>
    public static RgbImage FromEvents(EventArray events, int start, int end, EventColoring coloring = EventColoring.Binary)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (start < 0 || end > events.Count || start > end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {end}) is outside 0..{events.Count}");
        }
        var img = new RgbImage(events.Width, events.Height);
        bool binary = coloring == EventColoring.Binary;
        img.Fill(binary ? Rgb.Grey : Rgb.Black);
        Rgb on = binary ? Rgb.White : OnColor;
        Rgb off = binary ? Rgb.Black : OffColor;
        for (int i = start; i < end; i++)
        {
            img[events.X[i], events.Y[i]] = events.P[i] != 0 ? on : off;
        }
        return img;
    }
}
