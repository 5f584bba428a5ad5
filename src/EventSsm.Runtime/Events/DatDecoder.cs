using System.Buffers.Binary;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// Decodes Event2D records (docs/DATA.md §1.1): u32 t (µs), then u32 d with x = bits 0–13, y = bits 14–27,
/// p = bit 28. Every decoded event is validated, so bad bytes surface as <see cref="DataFormatException"/> with the
/// file offset instead of as out-of-range indices later.
/// </summary>
internal static class DatDecoder
{
    public const int EventSize = 8;

    /// <summary>
    /// Decodes <paramref name="src"/> (whole records only) into the given spans from index 0.
    /// <paramref name="lastTime"/> carries the previous event's time across calls: time must not decrease, because
    /// window extraction binary-searches it (the windowing of docs/DATA.md §2.4 is a searchsorted on sorted t).
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> src, Span<ushort> x, Span<ushort> y, Span<byte> p, Span<long> t,
        int width, int height, ref long lastTime, string? name, long fileOffset)
    {
        int n = src.Length / EventSize;
        Span<ushort> xs = x[..n];
        Span<ushort> ys = y[..n];
        Span<byte> ps = p[..n];
        Span<long> ts = t[..n];
        long last = lastTime;
        for (int i = 0; i < n; i++)
        {
            ulong r = BinaryPrimitives.ReadUInt64LittleEndian(src.Slice(i * EventSize, EventSize));
            long ti = (long)(uint)r;
            uint d = (uint)(r >> 32);
            uint xi = d & 0x3FFF;
            uint yi = (d >> 14) & 0x3FFF;
            if (xi >= (uint)width || yi >= (uint)height || ti < last)
            {
                Fail(name, fileOffset + (long)i * EventSize, xi, yi, ti, last, width, height);
            }
            last = ti;
            xs[i] = (ushort)xi;
            ys[i] = (ushort)yi;
            ps[i] = (byte)((d >> 28) & 1);
            ts[i] = ti;
        }
        lastTime = last;
    }

    private static void Fail(string? name, long offset, uint x, uint y, long t, long last, int width, int height)
    {
        if (x >= (uint)width || y >= (uint)height)
        {
            throw new DataFormatException(name, $"event at byte {offset} has coordinates ({x}, {y}) outside the {width}×{height} sensor");
        }
        throw new DataFormatException(name, $"event at byte {offset} has time {t} µs, earlier than the previous event's {last} µs (timestamps must be sorted)");
    }
}
