namespace EventSsm.Rendering;

/// <summary>An 8-bit RGB colour.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Black.</summary>
    public static readonly Rgb Black = new(0, 0, 0);
    /// <summary>White.</summary>
    public static readonly Rgb White = new(255, 255, 255);

    /// <summary>The original's background grey (docs/DATA.md §6).</summary>
    public static readonly Rgb Grey = new(127, 127, 127);
}

/// <summary>A packed RGB24 image, row-major, no padding.</summary>
public sealed class RgbImage
{
    /// <summary>A black image of <paramref name="width"/>×<paramref name="height"/> pixels.</summary>
    public RgbImage(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>R, G, B bytes per pixel.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public Rgb this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
        set
        {
            int i = (y * Width + x) * 3;
            Pixels[i] = value.R;
            Pixels[i + 1] = value.G;
            Pixels[i + 2] = value.B;
        }
    }

    /// <summary>Paints the whole image <paramref name="c"/>.</summary>
    public void Fill(Rgb c) => FillRect(0, 0, Width, Height, c);

    /// <summary>Fills [x0, x1) × [y0, y1), clipped to the image.</summary>
    public void FillRect(int x0, int y0, int x1, int y1, Rgb c)
    {
        x0 = Math.Max(x0, 0);
        y0 = Math.Max(y0, 0);
        x1 = Math.Min(x1, Width);
        y1 = Math.Min(y1, Height);
        for (int y = y0; y < y1; y++)
        {
            for (int x = x0; x < x1; x++)
            {
                this[x, y] = c;
            }
        }
    }

    /// <summary>Outline of the pixels [x0, x1] × [y0, y1] (inclusive, as cv2.rectangle), clipped.</summary>
    public void DrawRect(int x0, int y0, int x1, int y1, Rgb c, int thickness = 1)
    {
        for (int k = 0; k < thickness; k++)
        {
            FillRect(x0 + k, y0 + k, x1 - k + 1, y0 + k + 1, c);
            FillRect(x0 + k, y1 - k, x1 - k + 1, y1 - k + 1, c);
            FillRect(x0 + k, y0 + k, x0 + k + 1, y1 - k + 1, c);
            FillRect(x1 - k, y0 + k, x1 - k + 1, y1 - k + 1, c);
        }
    }

    /// <summary>Nearest-neighbour enlargement by an integer factor.</summary>
    public RgbImage Upscale(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        if (factor == 1)
        {
            return this;
        }
        var r = new RgbImage(Width * factor, Height * factor);
        for (int y = 0; y < r.Height; y++)
        {
            int sy = y / factor;
            for (int x = 0; x < r.Width; x++)
            {
                int s = (sy * Width + x / factor) * 3;
                int d = (y * r.Width + x) * 3;
                r.Pixels[d] = Pixels[s];
                r.Pixels[d + 1] = Pixels[s + 1];
                r.Pixels[d + 2] = Pixels[s + 2];
            }
        }
        return r;
    }

    /// <summary>Copies <paramref name="src"/> with its top-left corner at (x, y), clipped.</summary>
    public void Blit(RgbImage src, int x, int y)
    {
        for (int sy = 0; sy < src.Height; sy++)
        {
            int dy = y + sy;
            if (dy < 0 || dy >= Height)
            {
                continue;
            }
            int sx0 = Math.Max(0, -x);
            int sx1 = Math.Min(src.Width, Width - x);
            if (sx0 >= sx1)
            {
                continue;
            }
            src.Pixels.AsSpan((sy * src.Width + sx0) * 3, (sx1 - sx0) * 3).CopyTo(Pixels.AsSpan((dy * Width + x + sx0) * 3));
        }
    }
}
