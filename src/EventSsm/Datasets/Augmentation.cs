namespace EventSsm.Datasets;

/// <summary>The random choices of one augmentation draw (docs/DATA.md §3.9).</summary>
public sealed record AugmentationParams(bool FlipHorizontal, double ZoomIn, double ZoomOut, int OffsetX, int OffsetY)
{
    public static readonly AugmentationParams None = new(false, 1, 1, 0, 0);
}

/// <summary>
/// The original's training augmentations on a sample of L frames (L, C, H, W) uint8 and its labels: horizontal
/// flip, then zoom-in (crop + nearest-exact resize back) or zoom-out (shrink + paste into zeros); rotation is
/// disabled in the original's configs and not offered. Random-access samples draw new parameters per sample;
/// streaming pieces draw once per piece with zoom-out only (docs/DATA.md §3.9).
/// </summary>
public static class Augmentation
{
    /// <summary>Parameters for a random-access sample: flip 0.5; zoom 0.8 split in:out = 8:2; in U[1,1.5], out U[1,1.2].</summary>
    public static AugmentationParams SampleRandomAccess(Random rng, int height, int width, ObjectLabel[]? latestLabels)
    {
        bool flip = rng.NextDouble() < 0.5;
        if (rng.NextDouble() >= 0.8)
        {
            return new AugmentationParams(flip, 1, 1, 0, 0);
        }
        if (rng.NextDouble() < 0.8)
        {
            double f = 1 + (rng.NextDouble() * 0.5);
            int wh = (int)(height / f);
            int ww = (int)(width / f);
            (int x0, int y0) = ZoomInOrigin(rng, height, width, wh, ww, latestLabels, flip);
            return new AugmentationParams(flip, f, 1, x0, y0);
        }
        return SampleZoomOut(rng, height, width, flip);
    }

    /// <summary>Parameters for a streaming piece: flip 0.5; zoom-out only, with probability 0.5.</summary>
    public static AugmentationParams SampleStreaming(Random rng, int height, int width)
    {
        bool flip = rng.NextDouble() < 0.5;
        return rng.NextDouble() < 0.5 ? SampleZoomOut(rng, height, width, flip) : new AugmentationParams(flip, 1, 1, 0, 0);
    }

    private static AugmentationParams SampleZoomOut(Random rng, int height, int width, bool flip)
    {
        double f = 1 + (rng.NextDouble() * 0.2);
        int nh = (int)(height / f);
        int nw = (int)(width / f);
        return new AugmentationParams(flip, 1, f, rng.Next(width - nw + 1), rng.Next(height - nh + 1));
    }

    /// <summary>
    /// The crop origin keeps one box of the latest non-empty frame inside the window. As in the original the box
    /// index is drawn with an exclusive upper bound n−1, so the last box is never chosen when n &gt; 1.
    /// </summary>
    private static (int X, int Y) ZoomInOrigin(Random rng, int height, int width, int wh, int ww, ObjectLabel[]? labels, bool flipped)
    {
        if (labels is { Length: > 0 })
        {
            ObjectLabel b = labels[labels.Length == 1 ? 0 : rng.Next(0, labels.Length - 1)];
            if (flipped)
            {
                b = b.FlipHorizontal(width);
            }
            int xLo = Math.Max(0, (int)Math.Ceiling(b.X + b.W) - ww);
            int xHi = Math.Min((int)b.X, width - ww);
            int yLo = Math.Max(0, (int)Math.Ceiling(b.Y + b.H) - wh);
            int yHi = Math.Min((int)b.Y, height - wh);
            int x = xLo <= xHi ? rng.Next(xLo, xHi + 1) : rng.Next(width - ww + 1);
            int y = yLo <= yHi ? rng.Next(yLo, yHi + 1) : rng.Next(height - wh + 1);
            return (x, y);
        }
        return (rng.Next(width - ww + 1), rng.Next(height - wh + 1));
    }

    /// <summary>Applies <paramref name="p"/> in place to frames (L·C planes of H×W) and to every label list.</summary>
    public static void Apply(AugmentationParams p, byte[] frames, int planes, int height, int width, ObjectLabel[]?[] labels)
    {
        int plane = height * width;
        if (frames.Length < (long)planes * plane)
        {
            throw new ArgumentException("frame buffer is smaller than planes × H × W");
        }
        if (p.FlipHorizontal)
        {
            for (int k = 0; k < planes; k++)
            {
                for (int y = 0; y < height; y++)
                {
                    frames.AsSpan((k * plane) + (y * width), width).Reverse();
                }
            }
            MapLabels(labels, l => l.FlipHorizontal(width));
        }
        if (p.ZoomIn > 1)
        {
            int wh = (int)(height / p.ZoomIn);
            int ww = (int)(width / p.ZoomIn);
            var tmp = new byte[plane];
            for (int k = 0; k < planes; k++)
            {
                Span<byte> img = frames.AsSpan(k * plane, plane);
                for (int y = 0; y < height; y++)
                {
                    int sy = p.OffsetY + NearestExact(y, wh, height);
                    for (int x = 0; x < width; x++)
                    {
                        tmp[(y * width) + x] = img[(sy * width) + p.OffsetX + NearestExact(x, ww, width)];
                    }
                }
                tmp.CopyTo(img);
            }
            float f = (float)p.ZoomIn;
            MapLabels(labels, l => CropShiftScale(l, p.OffsetX, p.OffsetY, ww, wh, f));
        }
        else if (p.ZoomOut > 1)
        {
            int nh = (int)(height / p.ZoomOut);
            int nw = (int)(width / p.ZoomOut);
            var tmp = new byte[plane];
            for (int k = 0; k < planes; k++)
            {
                Span<byte> img = frames.AsSpan(k * plane, plane);
                Array.Clear(tmp);
                for (int y = 0; y < nh; y++)
                {
                    int sy = NearestExact(y, height, nh);
                    for (int x = 0; x < nw; x++)
                    {
                        tmp[((y + p.OffsetY) * width) + x + p.OffsetX] = img[(sy * width) + NearestExact(x, width, nw)];
                    }
                }
                tmp.CopyTo(img);
            }
            float s = 1f / (float)p.ZoomOut;
            MapLabels(labels, l => l with { X = (l.X * s) + p.OffsetX, Y = (l.Y * s) + p.OffsetY, W = l.W * s, H = l.H * s });
        }
    }

    /// <summary>F.interpolate "nearest-exact" source index: min(floor((i + 0.5)·in/out), in − 1).</summary>
    public static int NearestExact(int outIndex, int inSize, int outSize) =>
        Math.Min((int)Math.Floor((outIndex + 0.5) * inSize / outSize), inSize - 1);

    private static ObjectLabel? CropShiftScale(ObjectLabel l, int x0, int y0, int ww, int wh, float f)
    {
        float bx0 = Math.Clamp(l.X, x0, x0 + ww);
        float by0 = Math.Clamp(l.Y, y0, y0 + wh);
        float bx1 = Math.Clamp(l.X + l.W, x0, x0 + ww);
        float by1 = Math.Clamp(l.Y + l.H, y0, y0 + wh);
        if (!(bx1 - bx0 > 0) || !(by1 - by0 > 0))
        {
            return null;
        }
        return l with { X = (bx0 - x0) * f, Y = (by0 - y0) * f, W = (bx1 - bx0) * f, H = (by1 - by0) * f };
    }

    private static void MapLabels(ObjectLabel[]?[] labels, Func<ObjectLabel, ObjectLabel?> map)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] is ObjectLabel[] ls)
            {
                labels[i] = ls.Select(map).Where(l => l.HasValue).Select(l => l!.Value).ToArray();
            }
        }
    }

    private static void MapLabels(ObjectLabel[]?[] labels, Func<ObjectLabel, ObjectLabel> map) =>
        MapLabels(labels, l => (ObjectLabel?)map(l));
}
