using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EventSsm.Events;

/// <summary>
/// EVT 3.0 (docs.prophesee.ai "EVT 3.0 Format"): little-endian 16-bit words, type in bits 15–12, decoded against a
/// state of (y, base x, polarity, time). EVT_ADDR_Y 0x0: y bits 10–0 (bit 11 = master/slave, ignored).
/// EVT_ADDR_X 0x2: one event at x bits 10–0, polarity bit 11. VECT_BASE_X 0x3: base x bits 10–0, polarity bit 11.
/// VECT_12 0x4 / VECT_8 0x5: bit i of the 12 / 8 low bits = an event at base x + i; base x then advances by 12 / 8.
/// EVT_TIME_LOW 0x6 / EVT_TIME_HIGH 0x8: the low / high 12 bits of a 24-bit µs time; a new time-high clears the
/// time-low (as OpenEB does: the matching time-low follows). EXT_TRIGGER 0xA (channel bits 11–8, value bit 0) is
/// counted, and collected into <see cref="RawDecoder.Triggers"/> when set. CONTINUED_4 0x7, OTHERS 0xE,
/// CONTINUED_12 0xF and reserved types are counted and skipped. Type 0x1 is undocumented; OpenEB treats it as the
/// row address of non-CD events, so the events that follow it are dropped until the next EVT_ADDR_Y.
/// </summary>
public sealed class Evt3Decoder : RawDecoder
{
    private const int NoRow = 0;
    private const int CdRow = 1;
    private const int NonCdRow = 2;

    private TimeHighCounter _time = new(12, 12);
    private uint _low;
    private int _y;
    private int _row = NoRow;
    private int _baseX;
    private byte _basePolarity;
    private bool _hasBaseX;

    /// <summary>
    /// A decoder for a <paramref name="width"/>×<paramref name="height"/> sensor; <paramref name="dataOffset"/> is the
    /// file offset of the first word (error messages).
    /// </summary>
    public Evt3Decoder(int width, int height, string? name = null, long dataOffset = 0)
        : base(2, 12, width, height, name, dataOffset)
    {
    }

    private protected override RawDecoderState GetState() =>
        new(Position, _time.High, _time.Loops, _time.HasBase, _low, _y, _row, _baseX, _basePolarity, _hasBaseX);

    private protected override void SetState(RawDecoderState state)
    {
        _time = TimeHighCounter.Restore(12, 12, state.TimeHigh, state.TimeLoops, state.HasTimeBase);
        _low = state.TimeLow;
        _y = state.Y;
        _row = state.Row;
        _baseX = state.BaseX;
        _basePolarity = state.BasePolarity;
        _hasBaseX = state.HasBaseX;
    }

    /// <inheritdoc />
    protected override void DecodeWords(ReadOnlySpan<byte> words, GrowableEventBuffer output, long offset)
    {
        ReadOnlySpan<ushort> w = MemoryMarshal.Cast<byte, ushort>(words);
        ref ushort xs = ref MemoryMarshal.GetArrayDataReference(output.X);
        ref ushort ys = ref MemoryMarshal.GetArrayDataReference(output.Y);
        ref byte ps = ref MemoryMarshal.GetArrayDataReference(output.P);
        ref long ts = ref MemoryMarshal.GetArrayDataReference(output.T);
        int n = output.Count;
        int start = n;
        int width = Width;
        int height = Height;
        RawDecodeStats stats = Stats;
        long t = _time.Base | _low;
        bool hasBase = _time.HasBase;
        int y = _y;
        int row = _row;
        int baseX = _baseX;
        byte basePolarity = _basePolarity;
        bool hasBaseX = _hasBaseX;
        for (int i = 0; i < w.Length; i++)
        {
            uint word = BitConverter.IsLittleEndian ? w[i] : BinaryPrimitives.ReverseEndianness(w[i]);
            switch (word >> 12)
            {
                case 0x0:
                    y = (int)(word & 0x7FF);
                    row = CdRow;
                    break;
                case 0x1:
                    row = NonCdRow;
                    stats.UnknownWords++;
                    break;
                case 0x2:
                    {
                        if (!hasBase || row != CdRow)
                        {
                            Drop(stats, hasBase, 1);
                            break;
                        }
                        int x = (int)(word & 0x7FF);
                        if (x >= width || y >= height)
                        {
                            output.Count = n;
                            throw OutOfSensor(offset + 2L * i, x, y);
                        }
                        Unsafe.Add(ref xs, n) = (ushort)x;
                        Unsafe.Add(ref ys, n) = (ushort)y;
                        Unsafe.Add(ref ps, n) = (byte)((word >> 11) & 1);
                        Unsafe.Add(ref ts, n) = t;
                        n++;
                        break;
                    }
                case 0x3:
                    baseX = (int)(word & 0x7FF);
                    basePolarity = (byte)((word >> 11) & 1);
                    hasBaseX = true;
                    break;
                case 0x4:
                case 0x5:
                    {
                        int span = (word >> 12) == 0x4 ? 12 : 8;
                        uint valid = word & ((1u << span) - 1);
                        if (valid != 0)
                        {
                            if (!hasBase || row != CdRow || !hasBaseX)
                            {
                                Drop(stats, hasBase, BitOperations.PopCount(valid));
                            }
                            else
                            {
                                int lastX = baseX + 31 - BitOperations.LeadingZeroCount(valid);
                                if (lastX >= width || y >= height)
                                {
                                    output.Count = n;
                                    throw OutOfSensor(offset + 2L * i, lastX >= width ? lastX : baseX, y);
                                }
                                do
                                {
                                    int bit = BitOperations.TrailingZeroCount(valid);
                                    valid &= valid - 1;
                                    Unsafe.Add(ref xs, n) = (ushort)(baseX + bit);
                                    Unsafe.Add(ref ys, n) = (ushort)y;
                                    Unsafe.Add(ref ps, n) = basePolarity;
                                    Unsafe.Add(ref ts, n) = t;
                                    n++;
                                }
                                while (valid != 0);
                            }
                        }
                        // Capped so a long run of vectors cannot overflow; any event past 2047 is out of the sensor anyway.
                        baseX = Math.Min(baseX + span, 1 << 16);
                        break;
                    }
                case 0x6:
                    _low = word & 0xFFF;
                    t = _time.Base | _low;
                    break;
                case 0x7:
                    stats.ContinuedWords++;
                    break;
                case 0xA:
                    // EXT_TRIGGER: channel bits 11–8, value bit 0, at the current time.
                    stats.ExtTriggerWords++;
                    if (Triggers is { } triggers && hasBase)
                    {
                        triggers.Add(new ExternalTrigger(t, (byte)(word & 1), (int)((word >> 8) & 0xF)));
                    }
                    break;
                case 0x8:
                    if (_time.Update(word & 0xFFF, stats))
                    {
                        _low = 0;
                    }
                    hasBase = true;
                    t = _time.Base | _low;
                    break;
                default:
                    stats.CountSkippedWord(word >> 12);
                    break;
            }
        }
        stats.CdEvents += n - start;
        output.Count = n;
        _y = y;
        _row = row;
        _baseX = baseX;
        _basePolarity = basePolarity;
        _hasBaseX = hasBaseX;
    }

    private static void Drop(RawDecodeStats stats, bool hasBase, int count)
    {
        if (hasBase)
        {
            stats.EventsWithoutAddress += count;
        }
        else
        {
            stats.EventsBeforeTimeBase += count;
        }
    }
}
