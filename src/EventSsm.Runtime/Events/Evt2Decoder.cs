using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EventSsm.Events;

/// <summary>
/// EVT 2.0 (docs.prophesee.ai "EVT 2.0 Format"): little-endian 32-bit words, type in bits 31–28.
/// CD_OFF 0x0 / CD_ON 0x1: time-low bits 27–22 (6 bits), x bits 21–11, y bits 10–0, polarity = type.
/// EVT_TIME_HIGH 0x8: bits 27–0 are bits 33–6 of the µs timestamp. EXT_TRIGGER 0xA, OTHERS 0xE, CONTINUED 0xF and
/// reserved types are counted and skipped.
/// </summary>
public sealed class Evt2Decoder : Evt2FamilyDecoder
{
    /// <summary>
    /// A decoder for a <paramref name="width"/>×<paramref name="height"/> sensor; <paramref name="dataOffset"/> is the
    /// file offset of the first word (error messages).
    /// </summary>
    public Evt2Decoder(int width, int height, string? name = null, long dataOffset = 0)
        : base(4, 1, width, height, name, dataOffset)
    {
    }

    /// <inheritdoc />
    protected override void DecodeWords(ReadOnlySpan<byte> words, GrowableEventBuffer output, long offset)
    {
        ReadOnlySpan<uint> w = MemoryMarshal.Cast<byte, uint>(words);
        ushort[] xs = output.X;
        ushort[] ys = output.Y;
        byte[] ps = output.P;
        long[] ts = output.T;
        int n = output.Count;
        int width = Width;
        int height = Height;
        long timeBase = TimeBase;
        bool hasBase = HasTimeBase;
        RawDecodeStats stats = Stats;
        long start = n;
        for (int i = 0; i < w.Length; i++)
        {
            uint word = BitConverter.IsLittleEndian ? w[i] : BinaryPrimitives.ReverseEndianness(w[i]);
            uint type = word >> 28;
            if (type <= 1)
            {
                if (!hasBase)
                {
                    stats.EventsBeforeTimeBase++;
                    continue;
                }
                int x = (int)((word >> 11) & 0x7FF);
                int y = (int)(word & 0x7FF);
                if ((uint)x >= (uint)width || (uint)y >= (uint)height)
                {
                    output.Count = n;
                    throw OutOfSensor(offset + 4L * i, x, y);
                }
                xs[n] = (ushort)x;
                ys[n] = (ushort)y;
                ps[n] = (byte)type;
                ts[n] = timeBase + ((word >> 22) & 0x3F);
                n++;
            }
            else
            {
                NonCdWord(type, word, stats);
                timeBase = TimeBase;
                hasBase = HasTimeBase;
            }
        }
        stats.CdEvents += n - start;
        output.Count = n;
    }
}
