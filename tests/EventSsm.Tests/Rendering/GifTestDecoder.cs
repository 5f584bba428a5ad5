using System.Buffers.Binary;
using System.Text;

namespace EventSsm.Tests.Rendering;

/// <summary>A minimal independent GIF reader for tests: structure walk plus LZW decoding (GIF89a appendix F).</summary>
internal sealed class GifTestDecoder
{
    public required int Width { get; init; }

    public required int Height { get; init; }

    public required byte[]? GlobalTable { get; init; }

    /// <summary>Per frame: LZW data start offset, local table (or null), delay in centiseconds.</summary>
    public required List<(int DataOffset, byte[]? LocalTable, int Delay)> Frames { get; init; }

    public required bool HasNetscapeLoop { get; init; }

    public required byte[] Bytes { get; init; }

    public static GifTestDecoder Parse(byte[] gif)
    {
        Assert.Equal("GIF89a", Encoding.ASCII.GetString(gif, 0, 6));
        int w = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(6));
        int h = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(8));
        int flags = gif[10];
        int pos = 13;
        byte[]? gct = null;
        if ((flags & 0x80) != 0)
        {
            int size = 3 << ((flags & 7) + 1);
            gct = gif.AsSpan(pos, size).ToArray();
            pos += size;
        }
        var frames = new List<(int, byte[]?, int)>();
        bool loop = false;
        int delay = 0;
        while (true)
        {
            byte kind = gif[pos++];
            if (kind == 0x3B)
            {
                Assert.Equal(gif.Length, pos);
                break;
            }
            if (kind == 0x21)
            {
                byte label = gif[pos++];
                if (label == 0xFF && Encoding.ASCII.GetString(gif, pos + 1, 11) == "NETSCAPE2.0")
                {
                    loop = true;
                }
                if (label == 0xF9)
                {
                    delay = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 2));
                }
                pos = SkipSubBlocks(gif, pos);
                continue;
            }
            Assert.Equal(0x2C, kind);
            int fw = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 4));
            int fh = BinaryPrimitives.ReadUInt16LittleEndian(gif.AsSpan(pos + 6));
            Assert.Equal((w, h), (fw, fh));
            int fflags = gif[pos + 8];
            pos += 9;
            byte[]? lct = null;
            if ((fflags & 0x80) != 0)
            {
                int size = 3 << ((fflags & 7) + 1);
                lct = gif.AsSpan(pos, size).ToArray();
                pos += size;
            }
            frames.Add((pos, lct, delay));
            pos = SkipSubBlocks(gif, pos + 1);
        }
        return new GifTestDecoder { Width = w, Height = h, GlobalTable = gct, Frames = frames, HasNetscapeLoop = loop, Bytes = gif };
    }

    /// <summary>RGB triples of frame <paramref name="index"/>.</summary>
    public byte[] DecodeFrameRgb(int index)
    {
        (int offset, byte[]? lct, _) = Frames[index];
        byte[] table = lct ?? GlobalTable!;
        byte[] indices = DecodeLzw(Bytes, offset, Width * Height);
        var rgb = new byte[indices.Length * 3];
        for (int i = 0; i < indices.Length; i++)
        {
            rgb[3 * i] = table[3 * indices[i]];
            rgb[3 * i + 1] = table[3 * indices[i] + 1];
            rgb[3 * i + 2] = table[3 * indices[i] + 2];
        }
        return rgb;
    }

    /// <summary>Decodes LZW data starting at the min-code-size byte at <paramref name="offset"/>.</summary>
    public static byte[] DecodeLzw(byte[] data, int offset, int expectedCount)
    {
        int minCodeSize = data[offset];
        var stream = new List<byte>();
        int pos = offset + 1;
        while (data[pos] != 0)
        {
            int len = data[pos];
            stream.AddRange(data.AsSpan(pos + 1, len).ToArray());
            pos += len + 1;
        }
        int clear = 1 << minCodeSize;
        int end = clear + 1;
        var prefix = new int[4096];
        var suffix = new byte[4096];
        var length = new int[4096];
        for (int i = 0; i < clear; i++)
        {
            suffix[i] = (byte)i;
            length[i] = 1;
            prefix[i] = -1;
        }
        var output = new List<byte>(expectedCount);
        int codeSize = minCodeSize + 1;
        int next = end + 1;
        int prev = -1;
        int bitPos = 0;
        bool ended = false;
        while (bitPos + codeSize <= stream.Count * 8)
        {
            int code = 0;
            for (int b = 0; b < codeSize; b++, bitPos++)
            {
                code |= ((stream[bitPos >> 3] >> (bitPos & 7)) & 1) << b;
            }
            if (code == clear)
            {
                codeSize = minCodeSize + 1;
                next = end + 1;
                prev = -1;
                continue;
            }
            if (code == end)
            {
                ended = true;
                break;
            }
            Assert.True(code <= next && (prev >= 0 || code < clear), $"invalid LZW code {code} (next {next})");
            byte first;
            if (code < next)
            {
                first = Emit(code, prefix, suffix, length, output);
            }
            else
            {
                first = Emit(prev, prefix, suffix, length, output);
                output.Add(first);
            }
            if (prev >= 0 && next < 4096)
            {
                prefix[next] = prev;
                suffix[next] = first; // first byte of this code's string (of prev's in the KwKwK case)
                length[next] = length[prev] + 1;
                next++;
                if (next == 1 << codeSize && codeSize < 12)
                {
                    codeSize++;
                }
            }
            prev = code;
        }
        Assert.True(ended, "no end-of-information code");
        // Nothing but the zero padding of the last byte may follow the end code (catches a too-narrow end code).
        Assert.Equal((bitPos + 7) / 8, stream.Count);
        Assert.Equal(expectedCount, output.Count);
        return output.ToArray();
    }

    private static byte Emit(int code, int[] prefix, byte[] suffix, int[] length, List<byte> output)
    {
        int n = length[code];
        int start = output.Count;
        for (int i = 0; i < n; i++)
        {
            output.Add(0);
        }
        for (int i = n - 1; i >= 0; i--)
        {
            output[start + i] = suffix[code];
            code = prefix[code];
        }
        return output[start];
    }

    private static int SkipSubBlocks(byte[] gif, int pos)
    {
        while (gif[pos] != 0)
        {
            pos += gif[pos] + 1;
        }
        return pos + 1;
    }
}
