using EventSsm.Events;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

public sealed class ExternalTriggerTests
{
    [Fact]
    public void Evt2Writer_TriggerWords_DecodeBack()
    {
        using var ms = new MemoryStream();
        using (var w = new Evt2Writer(ms, 64, 64, leaveOpen: true))
        {
            w.Write(1, 2, 1, 100);
            w.WriteTrigger(new ExternalTrigger(130, 1, 5));
            w.Write(3, 4, 0, 200);
            w.WriteTrigger(new ExternalTrigger(5000, 0, 31));
        }
        ms.Position = 0;
        RawFileHeader h = RawFileHeader.Read(ms, null);
        var decoder = new Evt2Decoder(h.Width, h.Height) { Triggers = [] };
        var events = new GrowableEventBuffer();
        decoder.Decode(ms.ToArray().AsSpan((int)h.DataOffset), events);
        Assert.Equal([new ExternalTrigger(130, 1, 5), new ExternalTrigger(5000, 0, 31)], decoder.Triggers);
        Assert.Equal(2, decoder.Stats.ExtTriggerWords);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Evt3Decoder_TriggerAtTheCurrentTime()
    {
        // time high 1 (4096 µs), time low 7, trigger channel 3 value 1, then channel 0 value 0.
        byte[] words = Words16(0x8001, 0x6007, 0xA301, 0xA000);
        var decoder = new Evt3Decoder(64, 64) { Triggers = [] };
        decoder.Decode(words, new GrowableEventBuffer());
        Assert.Equal([new ExternalTrigger(4096 + 7, 1, 3), new ExternalTrigger(4096 + 7, 0, 0)], decoder.Triggers);
    }

    [Fact]
    public void Evt2Writer_RejectsTriggersItCannotEncode()
    {
        using var w = new Evt2Writer(new MemoryStream(), 8, 8);
        Assert.Throws<ArgumentException>(() => w.WriteTrigger(new ExternalTrigger(1, 0, 32)));
        Assert.Throws<ArgumentException>(() => w.WriteTrigger(new ExternalTrigger(-1, 0, 0)));
    }

    [Fact]
    public void ConvertHdf5ToRaw_KeepsTriggersInTimeOrder_AndRawToRawKeepsThemToo()
    {
        string source = PropheseeHdf5ReaderTests.PathOf(PropheseeHdf5ReaderTests.CppStyle);
        using TempDir dir = Fixtures.TempDir();
        string raw = dir.File("rec.raw");
        string raw2 = dir.File("again.raw");
        EventConversionResult r = EventFileConverter.Convert(source, raw);
        Assert.Equal((50L, 0L), (r.TriggersWritten, r.TriggersDropped));
        using PropheseeHdf5Reader hdf5 = PropheseeHdf5Reader.Open(source);
        ExternalTrigger[] expected = hdf5.ReadTriggers(0, 50);
        Assert.Equal(expected, DecodeTriggers(raw, out long events, out bool ordered));
        Assert.Equal(hdf5.Count, events);
        Assert.True(ordered);
        EventConversionResult again = EventFileConverter.Convert(raw, raw2);
        Assert.Equal((50L, 0L), (again.TriggersWritten, again.TriggersDropped));
        Assert.Equal(expected, DecodeTriggers(raw2, out _, out _));
    }

    [Theory]
    [InlineData("out.dat")]
    [InlineData("out.csv")]
    [InlineData("out.h5")]
    public void ConvertToFormatsWithoutAPlace_CountsTriggersAsDropped(string output)
    {
        using TempDir dir = Fixtures.TempDir();
        EventConversionResult r = EventFileConverter.Convert(PropheseeHdf5ReaderTests.PathOf(PropheseeHdf5ReaderTests.CppStyle), dir.File(output));
        Assert.Equal((0L, 50L), (r.TriggersWritten, r.TriggersDropped));
        Assert.Equal(3 * 16384 + 2848, r.Events);
    }

    /// <summary>
    /// The triggers of an EVT 2.0 file, the CD event count, and whether the times of all words (CD and trigger) never
    /// decrease in stream order.
    /// </summary>
    private static List<ExternalTrigger> DecodeTriggers(string path, out long events, out bool ordered)
    {
        RawFileHeader h = RawFileHeader.Read(path);
        byte[] bytes = File.ReadAllBytes(path);
        var triggers = new List<ExternalTrigger>();
        events = 0;
        ordered = true;
        long high = 0;
        long last = long.MinValue;
        for (long at = h.DataOffset; at + 4 <= bytes.Length; at += 4)
        {
            uint w = BitConverter.ToUInt32(bytes, (int)at);
            uint type = w >> 28;
            if (type == 0x8)
            {
                high = (long)(w & 0x0FFF_FFFF) << 6;
                continue;
            }
            long t = high + ((w >> 22) & 0x3F);
            ordered &= t >= last;
            last = t;
            if (type == 0xA)
            {
                triggers.Add(new ExternalTrigger(t, (byte)(w & 1), (int)((w >> 8) & 0x1F)));
            }
            else
            {
                events++;
            }
        }
        return triggers;
    }
}
