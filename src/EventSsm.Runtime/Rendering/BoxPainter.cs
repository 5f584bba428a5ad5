using System.Globalization;
using EventSsm.Labels;

namespace EventSsm.Rendering;

/// <summary>How a box outline is drawn.</summary>
public enum BoxStroke
{
    Solid,

    /// <summary>Dashes of 3·scale pixels starting at every corner (ground truth in the overlay layout).</summary>
    Dashed,
}

/// <summary>
/// Draws boxes like the original's visualisers: a class-coloured outline and a "name score" tag. Tags never cover each
/// other: each goes above its box, else below it, else inside its top edge, else into the first free slot further
/// down, and is left out when there is none; the best-scored box chooses first.
/// </summary>
public static class BoxPainter
{
    /// <summary>
    /// Draws <paramref name="boxes"/> (sensor pixels) on <paramref name="image"/>, which is the sensor image enlarged
    /// <paramref name="scale"/> times. Scores are shown when <paramref name="showScore"/> (predictions).
    /// </summary>
    public static void Draw(RgbImage image, IEnumerable<BoundingBox> boxes, ClassStyle style, int scale = 1, bool showScore = false,
        BoxStroke stroke = BoxStroke.Solid, bool tags = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(style);
        ArgumentNullException.ThrowIfNull(boxes);
        int thickness = scale >= 2 ? Math.Max(2, scale / 2) : 1;
        int textScale = TextScale(scale);
        // Best score drawn last (on top); for labels the stored order is kept.
        BoundingBox[] ordered = showScore ? [.. boxes.OrderBy(b => b.ClassConfidence)] : [.. boxes];
        foreach (BoundingBox b in ordered)
        {
            (int x0, int y0, int x1, int y1) = Edges(b, scale);
            if (stroke == BoxStroke.Dashed)
            {
                DrawDashedRect(image, x0, y0, x1, y1, style.Color(b.ClassId), thickness, 3 * scale);
            }
            else
            {
                image.DrawRect(x0, y0, x1, y1, style.Color(b.ClassId), thickness);
            }
        }
        if (!tags)
        {
            return;
        }
        var placed = new List<(int X, int Y, int W, int H)>();
        for (int i = ordered.Length - 1; i >= 0; i--)
        {
            BoundingBox b = ordered[i];
            Rgb color = style.Color(b.ClassId);
            string text = showScore
                ? $"{style.Name(b.ClassId)} {b.ClassConfidence.ToString("0.00", CultureInfo.InvariantCulture)}"
                : style.Name(b.ClassId);
            int tw = BitmapFont.MeasureWidth(text, textScale) + 2;
            int th = BitmapFont.GlyphHeight * textScale + 2;
            if (PlaceTag(Edges(b, scale), tw, th, image.Width, image.Height, placed) is not { } tag)
            {
                continue;
            }
            placed.Add(tag);
            image.FillRect(tag.X, tag.Y, tag.X + tag.W, tag.Y + tag.H, color);
            BitmapFont.Draw(image, tag.X + 1, tag.Y + 1, text, Contrast(color), textScale);
        }
    }

    /// <summary>The text scale used for tags and captions at an image scale.</summary>
    public static int TextScale(int scale) => scale >= 2 ? 2 : 1;

    /// <summary>Pixel edges [x0, x1] × [y0, y1] (inclusive, as cv2.rectangle) of a box at <paramref name="scale"/>.</summary>
    public static (int X0, int Y0, int X1, int Y1) Edges(BoundingBox b, int scale)
    {
        int x0 = (int)MathF.Floor(b.X * scale);
        int y0 = (int)MathF.Floor(b.Y * scale);
        int x1 = (int)MathF.Ceiling((b.X + b.W) * scale) - 1;
        int y1 = (int)MathF.Ceiling((b.Y + b.H) * scale) - 1;
        return (x0, y0, Math.Max(x0, x1), Math.Max(y0, y1));
    }

    /// <summary>
    /// Where a <paramref name="w"/>×<paramref name="h"/> tag for a box goes without overlapping <paramref name="placed"/>
    /// or leaving the image, or null when there is no such place (the viewer page places its tags the same way).
    /// </summary>
    internal static (int X, int Y, int W, int H)? PlaceTag((int X0, int Y0, int X1, int Y1) box, int w, int h, int width, int height,
        IReadOnlyList<(int X, int Y, int W, int H)> placed)
    {
        int x = Math.Clamp(box.X0, 0, Math.Max(0, width - w));
        var candidates = new List<int> { box.Y0 - h, box.Y1 + 1, box.Y0 };
        for (int y = box.Y1 + 1 + h; y + h <= height && candidates.Count < 12; y += h)
        {
            candidates.Add(y);
        }
        foreach (int y in candidates)
        {
            if (y >= 0 && y + h <= height && !placed.Any(p => x < p.X + p.W && p.X < x + w && y < p.Y + p.H && p.Y < y + h))
            {
                return (x, y, w, h);
            }
        }
        return null;
    }

    private static void DrawDashedRect(RgbImage image, int x0, int y0, int x1, int y1, Rgb c, int th, int dash)
    {
        for (int x = x0; x <= x1; x += 2 * dash)
        {
            int end = Math.Min(x + dash, x1 + 1);
            image.FillRect(x, y0, end, y0 + th, c);
            image.FillRect(x, y1 - th + 1, end, y1 + 1, c);
        }
        for (int y = y0; y <= y1; y += 2 * dash)
        {
            int end = Math.Min(y + dash, y1 + 1);
            image.FillRect(x0, y, x0 + th, end, c);
            image.FillRect(x1 - th + 1, y, x1 + 1, end, c);
        }
        image.FillRect(x1 - th + 1, y0, x1 + 1, y0 + th, c);
        image.FillRect(x0, y1 - th + 1, x0 + th, y1 + 1, c);
        image.FillRect(x1 - th + 1, y1 - th + 1, x1 + 1, y1 + 1, c);
    }

    private static Rgb Contrast(Rgb c) => 0.299 * c.R + 0.587 * c.G + 0.114 * c.B > 128 ? Rgb.Black : Rgb.White;
}
