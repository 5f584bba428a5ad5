namespace EventSsm.Representations;

/// <summary>
/// <c>F.interpolate(scale_factor=0.5, mode="nearest-exact")</c> on a (C, H, W) array, as RVT's gen4
/// <c>downsample_ev_repr</c> (docs/DATA.md §2.6): source index floor((i + 0.5)·2) = 2i + 1, so
/// out[c, i, j] = in[c, 2i+1, 2j+1]. It keeps odd rows and columns and sums nothing.
/// </summary>
public static class NearestExactDownsample
{
    /// <summary>Output length of a dimension of length <paramref name="size"/> (floor of half).</summary>
    public static int OutputSize(int size) => size / 2;

    /// <summary>
    /// Writes the ½ downsample of the (<paramref name="channels"/>, <paramref name="height"/>, <paramref
    /// name="width"/>) array <paramref name="source"/> to <paramref name="destination"/>.
    /// </summary>
    public static void Half<T>(ReadOnlySpan<T> source, int channels, int height, int width, Span<T> destination)
    {
        int oh = OutputSize(height);
        int ow = OutputSize(width);
        if (source.Length != channels * height * width)
        {
            throw new ArgumentException($"source holds {source.Length} elements, not {channels}×{height}×{width}", nameof(source));
        }
        if (destination.Length != channels * oh * ow)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements, not {channels}×{oh}×{ow}", nameof(destination));
        }
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < oh; i++)
            {
                ReadOnlySpan<T> row = source.Slice((c * height + Math.Min(2 * i + 1, height - 1)) * width, width);
                Span<T> dst = destination.Slice((c * oh + i) * ow, ow);
                for (int j = 0; j < ow; j++)
                {
                    dst[j] = row[Math.Min(2 * j + 1, width - 1)];
                }
            }
        }
    }
}
