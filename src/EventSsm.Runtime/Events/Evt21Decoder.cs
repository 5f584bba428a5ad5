using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EventSsm.Events;

/// <summary>
/// EVT 2.1 (docs.prophesee.ai "EVT 2.1 Format"): 64-bit words made of a 32-bit header and a 32-bit validity mask.
/// Header: type bits 31–28 (EVT_NEG 0x0, EVT_POS 0x1, EVT_TIME_HIGH 0x8, EXT_TRIGGER 0xA, OTHERS 0xE, CONTINUED 0xF),
/// time-low bits 27–22, x base bits 21–11, y bits 10–0; mask bit i set = an event at (x base + i, y).
/// TIME_HIGH: header bits 27–0 are timestamp bits 33–6. The header is the upper half of a little-endian 64-bit word
/// (bytes 4–7) in the default layout and the first 4 bytes in OpenEB's "endianness=legacy" (IMX636) layout.
/// </summary>
public sealed class Evt21Decoder : Evt2FamilyDecoder
{
    private readonly bool _legacy;

    /// <summary>
    /// A decoder for a <paramref name="width"/>×<paramref name="height"/> sensor; <paramref name="legacy"/> selects
    /// OpenEB's "endianness=legacy" word layout; <paramref name="dataOffset"/> is the file offset of the first word.
    /// </summary>
    public Evt21Decoder(int width, int height, bool legacy, string? name = null, long dataOffset = 0)
        : base(8, 32, width, height, name, dataOffset)
    {
        _legacy = legacy;
    }

    /// <inheritdoc />
    protected override void DecodeWords(ReadOnlySpan<byte> words, GrowableEventBuffer output, long offset)
    {
        ReadOnlySpan<uint> w = MemoryMarshal.Cast<byte, uint>(words);
        ref ushort xs = ref MemoryMarshal.GetArrayDataReference(output.X);
        ref ushort ys = ref MemoryMarshal.GetArrayDataReference(output.Y);
        ref byte ps = ref MemoryMarshal.GetArrayDataReference(output.P);
        ref long ts = ref MemoryMarshal.GetArrayDataReference(output.T);
        int n = output.Count;
        int start = n;
        int width = Width;
        int height = Height;
        long timeBase = TimeBase;
        bool hasBase = HasTimeBase;
        RawDecodeStats stats = Stats;
        int headerIndex = _legacy ? 0 : 1;
        for (int i = 0; i < w.Length; i += 2)
        {
            uint header = LittleEndian(w[i + headerIndex]);
            uint type = header >> 28;
            if (type <= 1)
            {
                uint valid = LittleEndian(w[i + 1 - headerIndex]);
                if (valid == 0)
                {
                    continue;
                }
                if (!hasBase)
                {
                    stats.EventsBeforeTimeBase += BitOperations.PopCount(valid);
                    continue;
                }
                int x0 = (int)((header >> 11) & 0x7FF);
                int y = (int)(header & 0x7FF);
                int lastX = x0 + 31 - BitOperations.LeadingZeroCount(valid);
                if (lastX >= width || y >= height)
                {
                    output.Count = n;
                    throw OutOfSensor(offset + 4L * i, lastX >= width ? lastX : x0 + BitOperations.TrailingZeroCount(valid), y);
                }
                long t = timeBase + ((header >> 22) & 0x3F);
                byte p = (byte)type;
                // Row-constant fields are written for every slot; x comes from the set bits of the mask.
                do
                {
                    int bit = BitOperations.TrailingZeroCount(valid);
                    valid &= valid - 1;
                    Unsafe.Add(ref xs, n) = (ushort)(x0 + bit);
                    Unsafe.Add(ref ys, n) = (ushort)y;
                    Unsafe.Add(ref ps, n) = p;
                    Unsafe.Add(ref ts, n) = t;
                    n++;
                }
                while (valid != 0);
            }
            else
            {
                NonCdWord(type, header, stats);
                timeBase = TimeBase;
                hasBase = HasTimeBase;
            }
        }
        stats.CdEvents += n - start;
        output.Count = n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LittleEndian(uint v) => BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v);
}
