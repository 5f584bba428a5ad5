namespace EventSsm.Rendering;

/// <summary>
/// The fixed 256-colour GIF palette: the 6×6×6 cube (levels 0, 51, …, 255) plus 40 greys including 127. The event
/// colours (grey 127, white, black, polarity blue/red) and the class colours are all in it, so they stay exact;
/// other colours map to the nearest cube entry, greys to the nearest grey.
/// </summary>
public static class GifPalette
{
    private static readonly Rgb[] s_colors = Build();
    private static readonly byte[] s_greyIndex = BuildGreyIndex();

    /// <summary>The 256 colours of the global table: the 6×6×6 colour cube, then greys.</summary>
    public static IReadOnlyList<Rgb> Colors => s_colors;

    /// <summary>The index of the nearest palette colour to <paramref name="c"/> (exact for palette colours).</summary>
    public static byte IndexOf(Rgb c)
    {
        if (c.R == c.G && c.G == c.B)
        {
            return s_greyIndex[c.R];
        }
        return (byte)(Level(c.R) * 36 + Level(c.G) * 6 + Level(c.B));
    }

    private static int Level(byte v) => (v + 25) / 51;

    private static Rgb[] Build()
    {
        var colors = new List<Rgb>(256);
        for (int r = 0; r < 6; r++)
        {
            for (int g = 0; g < 6; g++)
            {
                for (int b = 0; b < 6; b++)
                {
                    colors.Add(new Rgb((byte)(r * 51), (byte)(g * 51), (byte)(b * 51)));
                }
            }
        }
        colors.Add(Rgb.Grey);
        for (int k = 1; colors.Count < 256; k++)
        {
            byte v = (byte)(k * 255 / 41);
            if (v % 51 != 0 && v != 127)
            {
                colors.Add(new Rgb(v, v, v));
            }
        }
        return colors.ToArray();
    }

    private static byte[] BuildGreyIndex()
    {
        var index = new byte[256];
        for (int v = 0; v < 256; v++)
        {
            int best = 0;
            int bestDist = int.MaxValue;
            for (int i = 0; i < s_colors.Length; i++)
            {
                Rgb c = s_colors[i];
                if (c.R == c.G && c.G == c.B && Math.Abs(c.R - v) < bestDist)
                {
                    best = i;
                    bestDist = Math.Abs(c.R - v);
                }
            }
            index[v] = (byte)best;
        }
        return index;
    }
}
