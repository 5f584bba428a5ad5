using System.Buffers.Binary;

namespace EventSsm.IO.Hdf5;

/// <summary>
/// Prophesee's ECF event codec (HDF5 filter 36559), one block = one chunk of <c>/CD/events</c>
/// (docs/FORMATS.md §2). Decoding covers the three modes (YXP, XP, MASKED) and checks every read against N and the
/// block's end, so a corrupt block raises <see cref="DataFormatException"/> instead of reading past it. The encoder
/// makes the same bytes as the reference encoder (mode choice included) for time-sorted input; it exists for test
/// fixtures and for writing Prophesee HDF5 files. There is no .NET package for ECF, hence our own.
/// </summary>
public static class EcfCodec
{
    /// <summary>The reference codec's limit on events per block.</summary>
    public const int MaxEvents = 65535;

    /// <summary>Coordinates are 11-bit fields.</summary>
    public const int MaxCoordinate = 2047;

    /// <summary>
    /// An upper bound on a block's size: header and t0 (12), then per event at most 17 timestamp bytes (16 delta
    /// digits and a run code), 2 x, 2 y and 1 polarity byte (a run escape adds 2 bytes but covers at least 15 events),
    /// plus one group of padding.
    /// </summary>
    public static int MaxEncodedSize(int events) => 12 + 22 * events + 12;

    private const uint ModeYxp = 2;
    private const uint ModeXp = 1;

    /// <summary>The event count N in a block's header, or -1 when the block is shorter than the header.</summary>
    public static int ReadCount(ReadOnlySpan<byte> block) =>
        block.Length < 4 ? -1 : (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(block) >> 2, int.MaxValue);

    /// <summary>
    /// Decodes one block into the first N slots of the destinations (each must hold at least N, see
    /// <see cref="ReadCount"/>); returns N. <paramref name="consumed"/> is the number of block bytes the sections used.
    /// Timestamps are non-decreasing by construction (deltas are unsigned).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> block, Span<ushort> x, Span<ushort> y, Span<byte> p, Span<long> t,
        out int consumed)
    {
        int n = ReadCount(block);
        if (n < 0)
        {
            throw Bad($"ECF block of {block.Length} bytes is shorter than its 4-byte header");
        }
        if (n > MaxEvents)
        {
            throw Bad($"ECF block header claims {n} events; a block holds at most {MaxEvents}");
        }
        if (x.Length < n || y.Length < n || p.Length < n || t.Length < n)
        {
            throw new ArgumentException($"destinations hold fewer than the block's {n} events");
        }
        uint mode = BinaryPrimitives.ReadUInt32LittleEndian(block) & 3;
        int pos = DecodeTimes(block, 4, t[..n]);
        if ((mode & ModeYxp) != 0)
        {
            pos = DecodePacked24(block, pos, x[..n], y[..n], p[..n]);
        }
        else
        {
            pos = DecodeRowRuns(block, pos, y[..n]);
            pos = (mode & ModeXp) != 0
                ? DecodePacked12(block, pos, x[..n], p[..n])
                : DecodeRunsP(block, DecodeMaskedX(block, pos, x[..n]), p[..n]);
        }
        consumed = pos;
        return n;
    }

    private static int DecodeTimes(ReadOnlySpan<byte> b, int pos, Span<long> t)
    {
        Need(b, pos, 8, "the first timestamp");
        long cur = BinaryPrimitives.ReadInt64LittleEndian(b[pos..]);
        pos += 8;
        int i = 0;
        while (i < t.Length)
        {
            Need(b, pos, 1, "timestamp codes");
            int v = b[pos++];
            int hi = v >> 4;
            if (hi == 0xF)
            {
                // Long delta: consecutive 0xF_ bytes hold base-16 digits, least significant first.
                ulong dt = 0;
                int digit = 0;
                while (true)
                {
                    if (digit == 16)
                    {
                        throw Bad($"ECF timestamp delta at byte {pos} has more than 16 hex digits");
                    }
                    dt |= (ulong)(v & 0xF) << (4 * digit++);
                    Need(b, pos, 1, "timestamp codes");
                    if (b[pos] >> 4 != 0xF)
                    {
                        break;
                    }
                    v = b[pos++];
                }
                cur = Advance(cur, dt, pos);
                continue;
            }
            cur = Advance(cur, (ulong)hi, pos);
            int count = v & 0xF;
            if (count == 0xF)
            {
                Need(b, pos, 2, "a timestamp run count");
                count = BinaryPrimitives.ReadUInt16LittleEndian(b[pos..]);
                pos += 2;
            }
            if (count > t.Length - i)
            {
                throw Bad($"ECF timestamp run of {count} at byte {pos} passes the block's {t.Length} events");
            }
            t.Slice(i, count).Fill(cur);
            i += count;
        }
        return pos;
    }

    private static long Advance(long cur, ulong dt, int pos)
    {
        // Times are int64 µs (t0 is their bit pattern): a step past long.MaxValue would make them decrease.
        if (dt > (ulong)(long.MaxValue - cur))
        {
            throw Bad($"ECF timestamp delta {dt} at byte {pos} overflows the 64-bit time");
        }
        return cur + (long)dt;
    }

    private static int DecodePacked24(ReadOnlySpan<byte> b, int pos, Span<ushort> x, Span<ushort> y, Span<byte> p)
    {
        int n = x.Length;
        int groups = (n + 3) / 4;
        Need(b, pos, 12L * groups, "packed y/x/p values");
        Span<uint> v = stackalloc uint[4];
        for (int g = 0; g < groups; g++)
        {
            uint w0 = BinaryPrimitives.ReadUInt32LittleEndian(b[pos..]);
            uint w1 = BinaryPrimitives.ReadUInt32LittleEndian(b[(pos + 4)..]);
            uint w2 = BinaryPrimitives.ReadUInt32LittleEndian(b[(pos + 8)..]);
            pos += 12;
            v[0] = w0 >> 8;
            v[1] = (w0 & 0xFF) | ((w1 >> 16) << 8);
            v[2] = (w1 & 0xFFFF) | ((w2 >> 24) << 16);
            v[3] = w2 & 0xFF_FFFF;
            int at = 4 * g;
            for (int j = 0; j < 4 && at + j < n; j++)
            {
                y[at + j] = (ushort)((v[j] >> 12) & 0x7FF);
                x[at + j] = (ushort)((v[j] >> 1) & 0x7FF);
                p[at + j] = (byte)(v[j] & 1);
            }
        }
        return pos;
    }

    private static int DecodePacked12(ReadOnlySpan<byte> b, int pos, Span<ushort> x, Span<byte> p)
    {
        int n = x.Length;
        int groups = (n + 3) / 4;
        Need(b, pos, 6L * groups, "packed x/p values");
        Span<uint> v = stackalloc uint[4];
        for (int g = 0; g < groups; g++)
        {
            uint w0 = BinaryPrimitives.ReadUInt16LittleEndian(b[pos..]);
            uint w1 = BinaryPrimitives.ReadUInt16LittleEndian(b[(pos + 2)..]);
            uint w2 = BinaryPrimitives.ReadUInt16LittleEndian(b[(pos + 4)..]);
            pos += 6;
            v[0] = w0 >> 4;
            v[1] = (w0 & 0xF) | ((w1 >> 8) << 4);
            v[2] = (w1 & 0xFF) | ((w2 >> 12) << 8);
            v[3] = w2 & 0xFFF;
            int at = 4 * g;
            for (int j = 0; j < 4 && at + j < n; j++)
            {
                x[at + j] = (ushort)(v[j] >> 1);
                p[at + j] = (byte)(v[j] & 1);
            }
        }
        return pos;
    }

    /// <summary>Run-length rows: uint16 words y = w &gt;&gt; 5, count = w &amp; 31 (31: a uint16 count follows).</summary>
    private static int DecodeRowRuns(ReadOnlySpan<byte> b, int pos, Span<ushort> dst)
    {
        int i = 0;
        while (i < dst.Length)
        {
            Need(b, pos, 2, "row runs");
            int w = BinaryPrimitives.ReadUInt16LittleEndian(b[pos..]);
            pos += 2;
            int count = w & 31;
            if (count == 31)
            {
                Need(b, pos, 2, "a row run count");
                count = BinaryPrimitives.ReadUInt16LittleEndian(b[pos..]);
                pos += 2;
            }
            if (count > dst.Length - i)
            {
                throw Bad($"ECF row run of {count} at byte {pos} passes the block's {dst.Length} events");
            }
            dst.Slice(i, count).Fill((ushort)(w >> 5));
            i += count;
        }
        return pos;
    }

    private static int DecodeMaskedX(ReadOnlySpan<byte> b, int pos, Span<ushort> x)
    {
        int i = 0;
        while (i < x.Length)
        {
            Need(b, pos, 2, "masked x words");
            int w = BinaryPrimitives.ReadUInt16LittleEndian(b[pos..]);
            pos += 2;
            int baseX = w >> 5;
            x[i++] = (ushort)baseX;
            // Bit 4 marks x+1 … bit 0 x+5. The last word may mark values past N (the reference encoder reads stale
            // slots there): they are dropped, the word still consumed.
            for (int j = 0; j < 5 && i < x.Length; j++)
            {
                if ((w & (1 << (4 - j))) != 0)
                {
                    x[i++] = (ushort)(baseX + j + 1);
                }
            }
        }
        return pos;
    }

    private static int DecodeRunsP(ReadOnlySpan<byte> b, int pos, Span<byte> p)
    {
        int i = 0;
        while (i < p.Length)
        {
            Need(b, pos, 1, "polarity runs");
            int v = b[pos++];
            int count = v & 0x7F;
            if (count == 0x7F)
            {
                Need(b, pos, 2, "a polarity run count");
                count = BinaryPrimitives.ReadUInt16LittleEndian(b[pos..]);
                pos += 2;
            }
            if (count > p.Length - i)
            {
                throw Bad($"ECF polarity run of {count} at byte {pos} passes the block's {p.Length} events");
            }
            p.Slice(i, count).Fill((byte)(v >> 7));
            i += count;
        }
        return pos;
    }

    private static void Need(ReadOnlySpan<byte> b, int pos, long bytes, string what)
    {
        if (pos + bytes > b.Length)
        {
            throw Bad($"truncated ECF block: {what} at byte {pos} need {bytes} byte(s), the block has {b.Length}");
        }
    }

    /// <summary>
    /// Encodes up to <see cref="MaxEvents"/> events as one block, choosing the mode as the reference encoder does
    /// (docs/FORMATS.md §2.2). A timestamp earlier than the running one is written with delta 0, i.e. it
    /// decodes as the running maximum (lossy for unsorted input, as in the reference).
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y, ReadOnlySpan<byte> p, ReadOnlySpan<long> t)
    {
        int n = x.Length;
        if (y.Length != n || p.Length != n || t.Length != n)
        {
            throw new ArgumentException("x, y, p and t must have the same length");
        }
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxEvents, "events");
        for (int i = 0; i < n; i++)
        {
            if (x[i] > MaxCoordinate || y[i] > MaxCoordinate || p[i] > 1)
            {
                throw new ArgumentException($"event {i}: ({x[i]}, {y[i]}, p {p[i]}) does not fit ECF's 11-bit coordinates and 1-bit polarity");
            }
        }
        var w = new BlockWriter(MaxEncodedSize(n));
        bool yxp = n > 0 && PreferYxp(y);
        bool xp = !yxp && n > 0 && PreferXp(x);
        w.U32(((uint)n << 2) | (yxp ? ModeYxp : 0) | (xp ? ModeXp : 0));
        EncodeTimes(t, ref w);
        if (yxp)
        {
            for (int g = 0; g < n; g += 4)
            {
                uint v0 = Packed24(x, y, p, g);
                uint v1 = Packed24(x, y, p, g + 1);
                uint v2 = Packed24(x, y, p, g + 2);
                uint v3 = Packed24(x, y, p, g + 3);
                w.U32((v0 << 8) | (v1 & 0xFF));
                w.U32(((v1 >> 8) << 16) | (v2 & 0xFFFF));
                w.U32(((v2 >> 16) << 24) | (v3 & 0xFF_FFFF));
            }
        }
        else
        {
            EncodeRuns16(y, 5, ref w);
            if (xp)
            {
                for (int g = 0; g < n; g += 4)
                {
                    uint v0 = Packed12(x, p, g);
                    uint v1 = Packed12(x, p, g + 1);
                    uint v2 = Packed12(x, p, g + 2);
                    uint v3 = Packed12(x, p, g + 3);
                    w.U16((ushort)((v0 << 4) | (v1 & 0xF)));
                    w.U16((ushort)(((v1 >> 4) << 8) | (v2 & 0xFF)));
                    w.U16((ushort)(((v2 >> 8) << 12) | (v3 & 0xFFF)));
                }
            }
            else
            {
                EncodeMaskedX(x, ref w);
                EncodeRunsP(p, ref w);
            }
        }
        return w.ToArray();
    }

    /// <summary>Sample size for the mode choice: all events below 16, else a quarter (rounded).</summary>
    private static int SampleSize(int n) => n < 16 ? n : (int)(0.25 * n + 0.5);

    /// <summary>YXP unless rows repeat in more than ~20 % of the sample.</summary>
    private static bool PreferYxp(ReadOnlySpan<ushort> y)
    {
        int s = SampleSize(y.Length);
        int threshold = (int)(s * 20.0 / 100 + 0.5);
        int same = 0;
        int prev = y[0];
        for (int i = 1; i < s; i++)
        {
            if (y[i] == prev)
            {
                if (++same > threshold)
                {
                    return false;
                }
            }
            else
            {
                prev = y[i];
            }
        }
        return true;
    }

    /// <summary>XP unless more than ~8 % of the sample would join a masked group (x rising within 5 of a run start).</summary>
    private static bool PreferXp(ReadOnlySpan<ushort> x)
    {
        int s = SampleSize(x.Length);
        int threshold = (int)(s * 8.0 / 100 + 0.5);
        int grouped = 0;
        int runStart = x[0];
        int prev = x[0];
        for (int i = 1; i < s; i++)
        {
            if (x[i] > prev && x[i] <= runStart + 5)
            {
                if (++grouped > threshold)
                {
                    return false;
                }
            }
            else
            {
                runStart = x[i];
            }
            prev = x[i];
        }
        return true;
    }

    private static void EncodeTimes(ReadOnlySpan<long> t, ref BlockWriter w)
    {
        long cur = t.Length > 0 ? t[0] : 0;
        w.U64((ulong)cur);
        int i = 0;
        while (i < t.Length)
        {
            int delta = 0;
            if (t[i] >= cur && (ulong)(t[i] - cur) >= 15)
            {
                ulong dt = (ulong)(t[i] - cur);
                while (dt > 0)
                {
                    w.U8((byte)(0xF0 | (dt & 0xF)));
                    dt >>= 4;
                }
                cur = t[i];
            }
            else if (t[i] > cur)
            {
                delta = (int)(t[i] - cur);
                cur = t[i];
            }
            // The run is the events that follow with exactly the running time.
            int count = 1;
            while (i + count < t.Length && t[i + count] == cur)
            {
                count++;
            }
            if (count >= 15)
            {
                w.U8((byte)((delta << 4) | 0xF));
                w.U16((ushort)count);
            }
            else
            {
                w.U8((byte)((delta << 4) | count));
            }
            i += count;
        }
    }

    private static void EncodeRuns16(ReadOnlySpan<ushort> v, int countBits, ref BlockWriter w)
    {
        int escape = (1 << countBits) - 1;
        int i = 0;
        while (i < v.Length)
        {
            int count = 1;
            while (i + count < v.Length && v[i + count] == v[i])
            {
                count++;
            }
            if (count >= escape)
            {
                w.U16((ushort)((v[i] << countBits) | escape));
                w.U16((ushort)count);
            }
            else
            {
                w.U16((ushort)((v[i] << countBits) | count));
            }
            i += count;
        }
    }

    private static void EncodeMaskedX(ReadOnlySpan<ushort> x, ref BlockWriter w)
    {
        int i = 0;
        while (i < x.Length)
        {
            int baseX = x[i++];
            int word = baseX << 5;
            for (int j = 0; j < 5; j++)
            {
                if (i < x.Length && x[i] == baseX + j + 1)
                {
                    word |= 1 << (4 - j);
                    i++;
                }
            }
            w.U16((ushort)word);
        }
    }

    private static void EncodeRunsP(ReadOnlySpan<byte> p, ref BlockWriter w)
    {
        int i = 0;
        while (i < p.Length)
        {
            int count = 1;
            while (i + count < p.Length && p[i + count] == p[i])
            {
                count++;
            }
            if (count >= 0x7F)
            {
                w.U8((byte)((p[i] << 7) | 0x7F));
                w.U16((ushort)count);
            }
            else
            {
                w.U8((byte)((p[i] << 7) | count));
            }
            i += count;
        }
    }

    /// <summary>(y &lt;&lt; 12) | (x &lt;&lt; 1) | p, zero past the end (padding slots).</summary>
    private static uint Packed24(ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y, ReadOnlySpan<byte> p, int i) =>
        i < x.Length ? ((uint)y[i] << 12) | ((uint)x[i] << 1) | p[i] : 0;

    private static uint Packed12(ReadOnlySpan<ushort> x, ReadOnlySpan<byte> p, int i) =>
        i < x.Length ? ((uint)x[i] << 1) | p[i] : 0;

    private static DataFormatException Bad(string reason) => new(null, reason);

    /// <summary>Little-endian appends into a buffer sized for the worst case.</summary>
    private ref struct BlockWriter(int capacity)
    {
        private readonly byte[] _buffer = new byte[capacity];
        private int _length;

        public void U8(byte v) => _buffer[_length++] = v;

        public void U16(ushort v)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_length), v);
            _length += 2;
        }

        public void U32(uint v)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), v);
            _length += 4;
        }

        public void U64(ulong v)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_length), v);
            _length += 8;
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();
    }
}
