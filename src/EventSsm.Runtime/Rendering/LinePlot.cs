using System.Globalization;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace EventSsm.Rendering;

/// <summary>
/// A small line chart: axes with round-number ticks, tick labels, axis titles, a title and a legend, one coloured
/// line with point markers per series. Lines are drawn anti-aliased with SkiaSharp; text uses <see cref="BitmapFont"/>
/// (the native SkiaSharp build has no font configuration).
/// </summary>
public static class LinePlot
{
    private static readonly Rgb[] s_palette =
    [
        new(31, 119, 180), new(214, 39, 40), new(44, 160, 44), new(255, 127, 14), new(148, 103, 189), new(140, 86, 75),
        new(227, 119, 194), new(23, 190, 207),
    ];

    private const int TextScale = 2;
    private const int Left = 90;
    private const int Right = 30;
    private const int Top = 50;
    private const int Bottom = 70;

    /// <summary>
    /// Draws <paramref name="series"/> as lines with axes, ticks, labels and a legend into a <paramref
    /// name="width"/>×<paramref name="height"/> image.
    /// </summary>
    public static RgbImage Render(IReadOnlyList<PlotSeries> series, string title, string xLabel, string yLabel, int width = 900, int height = 560)
    {
        ArgumentNullException.ThrowIfNull(series);
        List<(double X, double Y)> all = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (all.Count == 0)
        {
            throw new ArgumentException("nothing to plot: no finite points");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(width, Left + Right + 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, Top + Bottom + 100);
        (double x0, double x1, double xStep) = Ticks(all.Min(p => p.X), all.Max(p => p.X));
        (double y0, double y1, double yStep) = Ticks(Math.Min(0, all.Min(p => p.Y)), all.Max(p => p.Y));
        int plotW = width - Left - Right;
        int plotH = height - Top - Bottom;
        float Px(double x) => Left + (float)((x - x0) / (x1 - x0) * plotW);
        float Py(double y) => Top + plotH - (float)((y - y0) / (y1 - y0) * plotH);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1, IsAntialias = false };
            using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 2, IsAntialias = false };
            foreach (double x in Range(x0, x1, xStep))
            {
                canvas.DrawLine(Px(x), Top, Px(x), Top + plotH, grid);
            }
            foreach (double y in Range(y0, y1, yStep))
            {
                canvas.DrawLine(Left, Py(y), Left + plotW, Py(y), grid);
            }
            canvas.DrawLine(Left, Top + plotH, Left + plotW, Top + plotH, axis);
            canvas.DrawLine(Left, Top, Left, Top + plotH, axis);
            for (int s = 0; s < series.Count; s++)
            {
                Rgb c = s_palette[s % s_palette.Length];
                using var line = new SKPaint { Color = new SKColor(c.R, c.G, c.B), StrokeWidth = 3, IsAntialias = true, Style = SKPaintStyle.Stroke };
                using var dot = new SKPaint { Color = new SKColor(c.R, c.G, c.B), IsAntialias = true, Style = SKPaintStyle.Fill };
                var pts = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
                for (int i = 1; i < pts.Length; i++)
                {
                    canvas.DrawLine(Px(pts[i - 1].X), Py(pts[i - 1].Y), Px(pts[i].X), Py(pts[i].Y), line);
                }
                foreach ((double x, double y) in pts)
                {
                    canvas.DrawCircle(Px(x), Py(y), 5, dot);
                }
            }
        }
        RgbImage image = ToImage(bitmap);

        int th = BitmapFont.GlyphHeight * TextScale;
        foreach (double x in Range(x0, x1, xStep))
        {
            string t = Format(x, xStep);
            BitmapFont.Draw(image, (int)Px(x) - (BitmapFont.MeasureWidth(t, TextScale) / 2), Top + plotH + 8, t, Rgb.Black, TextScale);
        }
        foreach (double y in Range(y0, y1, yStep))
        {
            string t = Format(y, yStep);
            BitmapFont.Draw(image, Left - 8 - BitmapFont.MeasureWidth(t, TextScale), (int)Py(y) - (th / 2), t, Rgb.Black, TextScale);
        }
        BitmapFont.Draw(image, Left + ((plotW - BitmapFont.MeasureWidth(xLabel, TextScale)) / 2), height - th - 12, xLabel, Rgb.Black, TextScale);
        BitmapFont.Draw(image, 8, Top - th - 8, yLabel, Rgb.Black, TextScale);
        BitmapFont.Draw(image, (width - BitmapFont.MeasureWidth(title, TextScale)) / 2, 8, title, Rgb.Black, TextScale);

        // Legend, top right inside the plot area.
        int legendW = series.Max(s => BitmapFont.MeasureWidth(s.Name, TextScale)) + 40;
        int lx = Left + plotW - legendW - 10;
        int ly = Top + 10;
        image.FillRect(lx - 6, ly - 6, lx + legendW, ly + (series.Count * (th + 8)), Rgb.White);
        image.DrawRect(lx - 6, ly - 6, lx + legendW, ly + (series.Count * (th + 8)), Rgb.Grey);
        for (int s = 0; s < series.Count; s++)
        {
            Rgb c = s_palette[s % s_palette.Length];
            int yy = ly + (s * (th + 8));
            image.FillRect(lx, yy + (th / 2) - 2, lx + 24, yy + (th / 2) + 2, c);
            BitmapFont.Draw(image, lx + 32, yy, series[s].Name, Rgb.Black, TextScale);
        }
        return image;
    }

    /// <summary>Round-number axis range covering [lo, hi] with about five ticks.</summary>
    internal static (double Lo, double Hi, double Step) Ticks(double lo, double hi)
    {
        if (hi - lo < 1e-12)
        {
            double pad = Math.Max(Math.Abs(hi) * 0.1, 1);
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / 5;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = (raw / mag) switch
        {
            <= 1 => mag,
            <= 2 => 2 * mag,
            <= 5 => 5 * mag,
            _ => 10 * mag,
        };
        return (Math.Floor(lo / step) * step, Math.Ceiling(hi / step) * step, step);
    }

    private static IEnumerable<double> Range(double lo, double hi, double step)
    {
        int n = (int)Math.Round((hi - lo) / step);
        for (int i = 0; i <= n; i++)
        {
            yield return lo + (i * step);
        }
    }

    private static string Format(double v, double step)
    {
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        return v.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    private static RgbImage ToImage(SKBitmap bitmap)
    {
        var rgba = new byte[bitmap.Width * bitmap.Height * 4];
        Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);
        var image = new RgbImage(bitmap.Width, bitmap.Height);
        byte[] px = image.Pixels;
        for (int i = 0, j = 0; i < px.Length; i += 3, j += 4)
        {
            px[i] = rgba[j];
            px[i + 1] = rgba[j + 1];
            px[i + 2] = rgba[j + 2];
        }
        return image;
    }
}
