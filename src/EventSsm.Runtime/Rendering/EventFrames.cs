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

/// <summary>
/// Event images as the original draws them (docs/DATA.md §6). Each image is first a polarity plane (one byte per
/// pixel: <see cref="NoEvent"/>, <see cref="Off"/> or <see cref="On"/>), then coloured; the viewer page stores the
/// plane itself and colours it in the browser, so both go through the same conversion.
/// </summary>
public static class EventFrames
{
    /// <summary>Plane value of a pixel without events (or with as many ON as OFF counts in a histogram).</summary>
    public const byte NoEvent = 0;

    /// <summary>Plane value of an OFF pixel.</summary>
    public const byte Off = 1;

    /// <summary>Plane value of an ON pixel.</summary>
    public const byte On = 2;

    public static readonly Rgb OnColor = new(0, 153, 255);
    public static readonly Rgb OffColor = new(255, 51, 51);

    /// <summary>Background, OFF and ON colours of a colouring, indexed by plane value.</summary>
    public static Rgb[] Palette(EventColoring coloring) => coloring == EventColoring.Binary
        ? [Rgb.Grey, Rgb.Black, Rgb.White]
        : [Rgb.Black, OffColor, OnColor];

    /// <summary>
    /// From a stacked histogram (C, H, W) whose first C/2 channels are OFF and the rest ON (docs/DATA.md §2.5):
    /// <c>callbacks/viz_base.py::ev_repr_to_img</c>: grey 127; ON sum &gt; OFF sum → white, ON &lt; OFF → black.
    /// </summary>
    public static RgbImage FromHistogram(ReadOnlySpan<byte> histogram, int channels, int height, int width)
    {
        byte[] plane = new byte[checked(height * width)];
        PlaneFromHistogram(histogram, channels, height, width, plane);
        return Colorize(plane, width, height, EventColoring.Binary);
    }

    /// <summary>The polarity plane of <see cref="FromHistogram"/>: ON sum &gt; OFF sum → ON, ON &lt; OFF → OFF.</summary>
    public static void PlaneFromHistogram(ReadOnlySpan<byte> histogram, int channels, int height, int width, Span<byte> plane)
    {
        if (channels <= 0 || channels % 2 != 0)
        {
            throw new ArgumentException($"a stacked histogram needs an even channel count, got {channels}");
        }
        long size = (long)height * width;
        if (histogram.Length != channels * size)
        {
            throw new ArgumentException($"histogram has {histogram.Length} values, expected {channels}×{height}×{width}");
        }
        if (plane.Length != size)
        {
            throw new ArgumentException($"plane holds {plane.Length} pixels, expected {height}×{width}", nameof(plane));
        }
        int half = channels / 2;
        for (int i = 0; i < size; i++)
        {
            int off = 0;
            int on = 0;
            for (int c = 0; c < half; c++)
            {
                off += histogram[(int)(c * size) + i];
                on += histogram[(int)((c + half) * size) + i];
            }
            plane[i] = on > off ? On : on < off ? Off : NoEvent;
        }
    }

    /// <summary>
    /// From raw events [start, end) in time order: <c>vis_utils.make_binary_histo</c> (grey, white ON, black OFF,
    /// the last event at a pixel wins) or the polarity colouring.
    /// </summary>
    public static RgbImage FromEvents(EventArray events, int start, int end, EventColoring coloring = EventColoring.Binary)
    {
        ArgumentNullException.ThrowIfNull(events);
        byte[] plane = new byte[checked(events.Width * events.Height)];
        Plane(events, start, end, plane);
        return Colorize(plane, events.Width, events.Height, coloring);
    }

    /// <summary>The polarity plane of events [start, end): the last event at a pixel wins.</summary>
    public static void Plane(EventArray events, int start, int end, Span<byte> plane)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (start < 0 || end > events.Count || start > end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"range [{start}, {end}) is outside 0..{events.Count}");
        }
        if (plane.Length != events.Width * events.Height)
        {
            throw new ArgumentException($"plane holds {plane.Length} pixels, expected {events.Width}×{events.Height}", nameof(plane));
        }
        plane.Clear();
        int width = events.Width;
        for (int i = start; i < end; i++)
        {
            plane[events.Y[i] * width + events.X[i]] = events.P[i] != 0 ? On : Off;
        }
    }

    /// <summary>Colours a polarity plane with <see cref="Palette"/>.</summary>
    public static RgbImage Colorize(ReadOnlySpan<byte> plane, int width, int height, EventColoring coloring)
    {
        var img = new RgbImage(width, height);
        if (plane.Length != width * height)
        {
            throw new ArgumentException($"plane holds {plane.Length} pixels, expected {width}×{height}", nameof(plane));
        }
        Rgb[] palette = Palette(coloring);
        byte[] px = img.Pixels;
        for (int i = 0; i < plane.Length; i++)
        {
            Rgb c = palette[plane[i]];
            px[3 * i] = c.R;
            px[3 * i + 1] = c.G;
            px[3 * i + 2] = c.B;
        }
        return img;
    }
}
