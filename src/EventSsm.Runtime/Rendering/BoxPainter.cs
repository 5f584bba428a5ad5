using EventSsm.Labels;

namespace EventSsm.Rendering;

/// <summary>Draws boxes like the original's visualisers: a class-coloured outline and a "name score" tag on top.</summary>
public static class BoxPainter
{
    /// <summary>
    /// Draws <paramref name="boxes"/> (sensor pixels) on <paramref name="image"/>, which is the sensor image enlarged
    /// <paramref name="scale"/> times. Scores are shown when <paramref name="showScore"/> (predictions).
    /// </summary>
    public static void Draw(RgbImage image, IEnumerable<BoundingBox> boxes, ClassStyle style, int scale = 1, bool showScore = false)
    {
        ArgumentNullException.ThrowIfNull(style);
        int thickness = Math.Max(1, scale / 2);
        int textScale = scale >= 4 ? 2 : 1;
        foreach (BoundingBox b in boxes)
        {
            Rgb color = style.Color(b.ClassId);
            int x0 = (int)MathF.Floor(b.X * scale);
            int y0 = (int)MathF.Floor(b.Y * scale);
            int x1 = (int)MathF.Ceiling((b.X + b.W) * scale) - 1;
            int y1 = (int)MathF.Ceiling((b.Y + b.H) * scale) - 1;
            image.DrawRect(x0, y0, Math.Max(x0, x1), Math.Max(y0, y1), color, thickness);
            string text = showScore
                ? $"{style.Name(b.ClassId)} {b.ClassConfidence.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}"
                : style.Name(b.ClassId);
            int tw = BitmapFont.MeasureWidth(text, textScale) + 2;
            int th = BitmapFont.GlyphHeight * textScale + 2;
            // The tag sits above the box, or inside its top edge when there is no room above.
            int ty = y0 - th >= 0 ? y0 - th : y0;
            image.FillRect(x0, ty, x0 + tw, ty + th, color);
            BitmapFont.Draw(image, x0 + 1, ty + 1, text, Contrast(color), textScale);
        }
    }

    private static Rgb Contrast(Rgb c) => 0.299 * c.R + 0.587 * c.G + 0.114 * c.B > 128 ? Rgb.Black : Rgb.White;
}
