using System.Buffers.Binary;
using System.Text;
using EventSsm.Events;

namespace EventSsm.Tests.Events;

/// <summary>Hand-built .raw byte streams and expected-event helpers for the EVT decoder tests.</summary>
internal static class EvtStreams
{
    public static byte[] Header(string text) => Encoding.Latin1.GetBytes(text);

    public static byte[] Words32(params uint[] words)
    {
        var b = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4 * i), words[i]);
        }
        return b;
    }

    public static byte[] Words16(params ushort[] words)
    {
        var b = new byte[words.Length * 2];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), words[i]);
        }
        return b;
    }

    /// <summary>EVT 2.1 words as (header, mask) pairs in the default (mask first) or legacy (header first) layout.</summary>
    public static byte[] Words64(bool legacy, params (uint Header, uint Mask)[] words)
    {
        var b = new byte[words.Length * 8];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8 * i + (legacy ? 0 : 4)), words[i].Header);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8 * i + (legacy ? 4 : 0)), words[i].Mask);
        }
        return b;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>EVT 2.0 CD word (also the EVT 2.1 header of a CD vector).</summary>
    public static uint Cd(int type, int tsLow, int x, int y) => ((uint)type << 28) | ((uint)tsLow << 22) | ((uint)x << 11) | (uint)y;

    public static void AssertEvents(EventArray actual, params (int X, int Y, int P, long T)[] expected)
    {
        var got = Enumerable.Range(0, actual.Count)
            .Select(i => ((int)actual.X[i], (int)actual.Y[i], (int)actual.P[i], actual.T[i])).ToArray();
        Assert.Equal(expected, got);
    }

    public static void AssertSame(EventArray expected, EventArray actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        Assert.True(expected.X.AsSpan(0, expected.Count).SequenceEqual(actual.X.AsSpan(0, actual.Count)), "x differs");
        Assert.True(expected.Y.AsSpan(0, expected.Count).SequenceEqual(actual.Y.AsSpan(0, actual.Count)), "y differs");
        Assert.True(expected.P.AsSpan(0, expected.Count).SequenceEqual(actual.P.AsSpan(0, actual.Count)), "p differs");
        Assert.True(expected.T.AsSpan(0, expected.Count).SequenceEqual(actual.T.AsSpan(0, actual.Count)), "t differs");
    }

    /// <summary>Decodes the data part of <paramref name="file"/> fed in pieces of the given sizes (cycled).</summary>
    public static EventArray DecodeInPieces(byte[] file, Func<int> nextPiece)
    {
        using var ms = new MemoryStream(file);
        RawFileHeader h = RawFileHeader.Read(ms, "pieces");
        RawDecoder decoder = RawDecoder.Create(h, "pieces");
        var buffer = new GrowableEventBuffer(0);
        int at = (int)h.DataOffset;
        while (at < file.Length)
        {
            int k = Math.Min(Math.Max(1, nextPiece()), file.Length - at);
            decoder.Decode(file.AsSpan(at, k), buffer);
            at += k;
        }
        decoder.Finish();
        return new EventArray(buffer.X, buffer.Y, buffer.P, buffer.T, h.Width, h.Height, buffer.Count);
    }

    /// <summary>Random time-ordered events (several per timestamp, gaps crossing many time-high steps).</summary>
    public static EventArray RandomEvents(int n, int width, int height, int seed, long maxStep = 200)
    {
        var rng = new Random(seed);
        EventArray e = EventArray.Allocate(n, width, height);
        long t = rng.NextInt64(0, 1000);
        for (int i = 0; i < n; i++)
        {
            t += rng.Next(4) == 0 ? rng.NextInt64(0, maxStep) : 0;
            e.X[i] = (ushort)rng.Next(width);
            e.Y[i] = (ushort)rng.Next(height);
            e.P[i] = (byte)rng.Next(2);
            e.T[i] = t;
        }
        return e;
    }
}
