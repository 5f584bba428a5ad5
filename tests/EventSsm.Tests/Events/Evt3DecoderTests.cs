using EventSsm.Events;
using EventSsm.IO;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

public sealed class Evt3DecoderTests
{
    private const long Wrap = 1L << 24;

    // An old-style header: no '% end', the data starts at the first byte that is not '%'.
    private static readonly byte[] Stream = Concat(
        Header("% evt 3.0\n% geometry 640x480\n"),
        Words16(
            0x0005,                 // EVT_ADDR_Y before any time-high
            0x2001,                 // EVT_ADDR_X before any time-high: dropped (no time base)
            0x8001,                 // EVT_TIME_HIGH 1 → 4096 µs
            0x6005,                 // EVT_TIME_LOW 5 → 4101 µs
            0x080A,                 // EVT_ADDR_Y 10 (master/slave bit set, ignored)
            0x2805,                 // EVT_ADDR_X x=5, p=1
            0x3064,                 // VECT_BASE_X 100, p=0
            0x4805,                 // VECT_12 0b1000_0000_0101 → x = 100, 102, 111; base → 112
            0x5081,                 // VECT_8 0b1000_0001 → x = 112, 119; base → 120
            0x4000,                 // VECT_12 empty; base → 132
            0x4001,                 // VECT_12 → x = 132
            0x7003,                 // CONTINUED_4
            0xA201,                 // EXT_TRIGGER
            0xE014,                 // OTHERS (event-rate counter) …
            0xF123,                 // … CONTINUED_12
            0xF456,
            0xF007,
            0xB000, 0xC000, 0xD000, 0x9000, // reserved / IMU types
            0x1003,                 // type 0x1: a non-CD row, so the next event is dropped
            0x2002,
            0x000B,                 // EVT_ADDR_Y 11
            0x2007,                 // x=7, p=0 at 4101
            0x8FFF,                 // time-high 0xFFF: clears time-low → 0xFFF000
            0x6FFF,                 // 0xFFFFFF
            0x2001,
            0x8000,                 // wraps: + 2^24, time-low cleared
            0x2002,
            0x6003,
            0x2003,
            0x8002,
            0x8001,                 // one step back: kept as encoded, not a wrap
            0x2004));

    private static readonly (int, int, int, long)[] Expected =
    [
        (5, 10, 1, 4101),
        (100, 10, 0, 4101), (102, 10, 0, 4101), (111, 10, 0, 4101),
        (112, 10, 0, 4101), (119, 10, 0, 4101),
        (132, 10, 0, 4101),
        (7, 11, 0, 4101),
        (1, 11, 0, 0xFFFFFF),
        (2, 11, 0, Wrap),
        (3, 11, 0, Wrap + 3),
        (4, 11, 0, Wrap + 4096),
    ];

    [Fact]
    public void Decode_EveryWordType_GivesExpectedEventsAndCounts()
    {
        RawReadResult r = RawFile.Decode(Stream);
        Assert.Equal(RawEventFormat.Evt3, r.Header.Format);
        Assert.Equal((640, 480), (r.Header.Width, r.Header.Height));
        AssertEvents(r.Events, Expected);
        Assert.Equal(Expected.Length, r.Stats.CdEvents);
        Assert.Equal(1, r.Stats.EventsBeforeTimeBase);
        Assert.Equal(1, r.Stats.EventsWithoutAddress);
        Assert.Equal(5, r.Stats.TimeHighWords);
        Assert.Equal(1, r.Stats.TimeHighWraps);
        Assert.Equal(1, r.Stats.TimeHighBackwardSteps);
        Assert.Equal(1, r.Stats.ExtTriggerWords);
        Assert.Equal(1, r.Stats.OtherWords);
        Assert.Equal(4, r.Stats.ContinuedWords);
        Assert.Equal(5, r.Stats.UnknownWords);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(9)]
    public void Decode_InPieces_MatchesWhole(int piece)
    {
        EventArray whole = RawFile.Decode(Stream).Events;
        AssertSame(whole, DecodeInPieces(Stream, () => piece));
        var rng = new Random(piece);
        AssertSame(whole, DecodeInPieces(Stream, () => rng.Next(1, 6)));
    }

    [Fact]
    public void Decode_VectorBitOutsideGeometry_ThrowsWithByteOffset()
    {
        byte[] header = Header("% format EVT3;height=480;width=640\n% end\n");
        byte[] file = Concat(header, Words16(0x8000, 0x0001, 0x3000 | 630, 0x4000, 0x4000 | 0x800));
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(file));
        Assert.Contains($"byte {header.Length + 8}", e.Message);
        Assert.Contains("(653, 1)", e.Message);
    }

    [Fact]
    public void Decode_RowOutsideGeometry_ThrowsAtTheEvent()
    {
        byte[] header = Header("% format EVT3;height=480;width=640\n% end\n");
        // A row address past the sensor alone is harmless; the event on it is not.
        byte[] file = Concat(header, Words16(0x8000, 0x0000 | 500, 0x0001, 0x2000));
        Assert.Equal(1, RawFile.Decode(file).Events.Count);
        file = Concat(header, Words16(0x8000, 0x0000 | 500, 0x2000));
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(file));
        Assert.Contains($"byte {header.Length + 4}", e.Message);
    }

    [Fact]
    public void Decode_TruncatedWord_Throws()
    {
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFile.Decode(Concat(Stream, [0x20])));
        Assert.Contains($"byte {Stream.Length}", e.Message);
    }
}
