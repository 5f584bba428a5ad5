using EventSsm.Events;
using EventSsm.IO;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

public sealed class Evt21DecoderTests
{
    private const long Wrap = 1L << 34;
    private const long TopHigh = ((1L << 28) - 1) << 6;

    private static readonly (uint, uint)[] Words =
    [
        (Cd(1, 0, 0, 0), 0b1),              // before any time-high: dropped
        (0x8000_0001, 0),                   // TIME_HIGH 1 → base 64 µs
        (Cd(1, 5, 32, 7), 0b1011),          // EVT_POS: x = 32, 33, 35
        (Cd(0, 6, 608, 479), 0x8000_0001),  // EVT_NEG: x = 608, 639
        (Cd(1, 7, 0, 0), 0),                // empty mask: no event
        (0xA000_0001, 0),                   // EXT_TRIGGER
        (0xE000_0016, 123),                 // OTHERS
        (0xF000_0000, 0),                   // CONTINUED
        (0x3000_0000, 0xFFFF_FFFF),         // reserved type: skipped even with a mask
        (0x8FFF_FFFF, 0),                   // TIME_HIGH at the top
        (Cd(0, 63, 1, 2), 0b10),
        (0x8000_0000, 0),                   // wraps
        (Cd(1, 1, 64, 3), 1u << 31),
    ];

    private static readonly (int, int, int, long)[] Expected =
    [
        (32, 7, 1, 69), (33, 7, 1, 69), (35, 7, 1, 69),
        (608, 479, 0, 70), (639, 479, 0, 70),
        (2, 2, 0, TopHigh + 63),
        (95, 3, 1, Wrap + 1),
    ];

    private static byte[] File(bool legacy, string? format = null) => Concat(
        Header($"% format {format ?? (legacy ? "EVT21;height=480;width=640;endianness=legacy" : "EVT21;height=480;width=640")}\n% end\n"),
        Words64(legacy, Words));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_EveryWordType_GivesExpectedEventsAndCounts(bool legacy)
    {
        RawReadResult r = RawFile.Decode(File(legacy));
        Assert.Equal(legacy ? RawEventFormat.Evt21Legacy : RawEventFormat.Evt21, r.Header.Format);
        AssertEvents(r.Events, Expected);
        Assert.Equal(7, r.Stats.CdEvents);
        Assert.Equal(1, r.Stats.EventsBeforeTimeBase);
        Assert.Equal(3, r.Stats.TimeHighWords);
        Assert.Equal(1, r.Stats.TimeHighWraps);
        Assert.Equal(1, r.Stats.ExtTriggerWords);
        Assert.Equal(1, r.Stats.OtherWords);
        Assert.Equal(1, r.Stats.ContinuedWords);
        Assert.Equal(1, r.Stats.UnknownWords);
    }

    [Fact]
    public void Decode_WrongLayout_DoesNotGiveTheSameEvents()
    {
        // The legacy flag matters: the default-layout bytes read as legacy put the mask where the header is.
        byte[] file = File(legacy: false, format: "EVT21;height=480;width=640;endianness=legacy");
        RawReadResult? r = null;
        try
        {
            r = RawFile.Decode(file);
        }
        catch (DataFormatException)
        {
        }
        Assert.True(r is null || r.Events.Count != Expected.Length);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    [InlineData(false, 7)]
    [InlineData(true, 13)]
    public void Decode_InPieces_MatchesWhole(bool legacy, int piece)
    {
        byte[] file = File(legacy);
        AssertSame(RawFile.Decode(file).Events, DecodeInPieces(file, () => piece));
    }

    [Fact]
    public void Decode_MaskBitOutsideGeometry_ThrowsWithByteOffset()
    {
        byte[] header = Header("% format EVT21;height=480;width=640\n% end\n");
        byte[] file = Concat(header, Words64(false, (0x8000_0000, 0), (Cd(1, 0, 620, 0), 1u << 20)));
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(file));
        Assert.Contains($"byte {header.Length + 8}", e.Message);
        Assert.Contains("(640, 0)", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void Decode_TruncatedWord_Throws(int extra)
    {
        byte[] good = File(false);
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(Concat(good, new byte[extra])));
        Assert.Contains($"byte {good.Length}", e.Message);
    }
}
