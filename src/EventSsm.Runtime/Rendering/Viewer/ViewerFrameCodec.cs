using System.IO.Compression;

namespace EventSsm.Rendering.Viewer;

/// <summary>
/// The viewer page's frame encoding (docs/VIEWER.md, "Frame encoding"): a polarity plane (0 none, 1 OFF, 2 ON per
/// pixel, <see cref="EventFrames"/>) is packed four pixels to a byte, pixel i in bits 2·(i mod 4), and zlib-compressed;
/// the page inflates it with the browser's own <c>DecompressionStream("deflate")</c>, so no decoder ships in the page.
/// Histograms are zlib-compressed as they are. A 60 s synthetic Gen1 recording packs to about 1.5 kB a frame.
/// </summary>
public static class ViewerFrameCodec
{
    /// <summary>Packs and compresses a polarity plane (values 0..3).</summary>
    public static byte[] EncodePlane(ReadOnlySpan<byte> plane)
    {
        byte[] packed = new byte[(plane.Length + 3) / 4];
        for (int i = 0; i < plane.Length; i++)
        {
            byte v = plane[i];
            if (v > 3)
            {
                throw new ArgumentException($"pixel {i} has plane value {v}, expected 0..3", nameof(plane));
            }
            packed[i >> 2] |= (byte)(v << (2 * (i & 3)));
        }
        return Compress(packed);
    }

    /// <summary>The inverse of <see cref="EncodePlane"/> for a plane of <paramref name="pixels"/> pixels.</summary>
    public static byte[] DecodePlane(ReadOnlySpan<byte> encoded, int pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pixels);
        byte[] packed = Decompress(encoded);
        if (packed.Length != (pixels + 3) / 4)
        {
            throw new ArgumentException($"encoded plane holds {packed.Length} packed bytes, expected {(pixels + 3) / 4}", nameof(encoded));
        }
        byte[] plane = new byte[pixels];
        for (int i = 0; i < pixels; i++)
        {
            plane[i] = (byte)((packed[i >> 2] >> (2 * (i & 3))) & 3);
        }
        return plane;
    }

    /// <summary>zlib (RFC 1950) at the smallest size: the page is written once and opened many times.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var buffer = new MemoryStream();
        using (var z = new ZLibStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(data);
        }
        return buffer.ToArray();
    }

    public static byte[] Decompress(ReadOnlySpan<byte> data)
    {
        using var input = new MemoryStream(data.ToArray());
        using var z = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }
}
