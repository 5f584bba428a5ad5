using EventSsm.Events;
using EventSsm.IO;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

public sealed class Evt2DecoderTests
{
    private const long Wrap = 1L << 34;
    private const long TopHigh = ((1L << 28) - 1) << 6;

    private static readonly byte[] Stream = Concat(
        Header("% camera_integrator_name Prophesee\n% format EVT2;height=480;width=640\n% end\n"),
        Words32(
            Cd(1, 0, 7, 7),                 // before any time-high: no time base, dropped
            0x8000_0005,                    // TIME_HIGH 5 → base 320 µs
            Cd(0, 3, 10, 20),
            Cd(1, 63, 639, 479),
            0xA000_0001 | (2u << 8),        // EXT_TRIGGER id 2, rising
            0xE000_0014,                    // OTHERS
            0xF123_4567,                    // CONTINUED
            0x2000_0000,                    // reserved type
            0x8FFF_FFFF,                    // TIME_HIGH at the top of the counter
            Cd(1, 1, 1, 1),
            0x8000_0001,                    // wraps: + 2^34
            Cd(0, 2, 2, 2),
            0x8000_0000,                    // one step back: kept as encoded, not a wrap
            Cd(1, 0, 3, 3)));

    private static readonly (int, int, int, long)[] Expected =
    [
        (10, 20, 0, 320 + 3),
        (639, 479, 1, 320 + 63),
        (1, 1, 1, TopHigh + 1),
        (2, 2, 0, Wrap + 64 + 2),
        (3, 3, 1, Wrap + 0),
    ];

    [Fact]
    public void Decode_EveryWordType_GivesExpectedEventsAndCounts()
    {
        RawReadResult r = RawFile.Decode(Stream);
        Assert.Equal(RawEventFormat.Evt2, r.Header.Format);
        AssertEvents(r.Events, Expected);
        Assert.Equal(5, r.Stats.CdEvents);
        Assert.Equal(4, r.Stats.TimeHighWords);
        Assert.Equal(1, r.Stats.TimeHighWraps);
        Assert.Equal(1, r.Stats.TimeHighBackwardSteps);
        Assert.Equal(1, r.Stats.ExtTriggerWords);
        Assert.Equal(1, r.Stats.OtherWords);
        Assert.Equal(1, r.Stats.ContinuedWords);
        Assert.Equal(1, r.Stats.UnknownWords);
        Assert.Equal(1, r.Stats.EventsBeforeTimeBase);
        Assert.Equal(4, r.Stats.SkippedNonCdWords);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Decode_InPieces_MatchesWhole(int piece)
    {
        EventArray whole = RawFile.Decode(Stream).Events;
        AssertSame(whole, DecodeInPieces(Stream, () => piece));
        var rng = new Random(piece);
        AssertSame(whole, DecodeInPieces(Stream, () => rng.Next(1, 12)));
    }

    [Fact]
    public void Decode_CoordinateOutsideGeometry_ThrowsWithByteOffset()
    {
        byte[] header = Header("% format EVT2;height=480;width=640\n% end\n");
        byte[] file = Concat(header, Words32(0x8000_0000, Cd(1, 0, 640, 0)));
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(file, "f.raw"));
        Assert.Contains($"byte {header.Length + 4}", e.Message);
        Assert.Contains("f.raw", e.Message);
        file = Concat(header, Words32(0x8000_0000, Cd(1, 0, 0, 480)));
        Assert.Throws<DataFormatException>(() => RawFile.Decode(file));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Decode_TruncatedWord_ThrowsWithOffset(int extra)
    {
        byte[] file = Concat(Stream, new byte[extra]);
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(file));
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"byte {Stream.Length}", e.Message);
    }
}
