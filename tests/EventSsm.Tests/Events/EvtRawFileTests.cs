using EventSsm.Events;
using EventSsm.IO;
using static EventSsm.Tests.Events.EvtStreams;
using EventSsm.Tests.Cli;

namespace EventSsm.Tests.Events;

public sealed class EvtRawFileTests
{
    [Theory]
    [InlineData("% format EVT3;height=720;width=1280\n% end\n", RawEventFormat.Evt3, 1280, 720)]
    [InlineData("% format EVT2;height=480;width=640\n% end\n", RawEventFormat.Evt2, 640, 480)]
    [InlineData("% format EVT21;height=320;width=320\n% end\n", RawEventFormat.Evt21, 320, 320)]
    [InlineData("% format EVT21;height=720;width=1280;endianness=legacy\n% end\n", RawEventFormat.Evt21Legacy, 1280, 720)]
    [InlineData("% evt 3.0\n% geometry 1280x720\n", RawEventFormat.Evt3, 1280, 720)]
    [InlineData("% evt 2.0\r\n% geometry 640x480\r\n% end\r\n", RawEventFormat.Evt2, 640, 480)]
    [InlineData("% evt 2.1\n% geometry 1280x720\n% end\n", RawEventFormat.Evt21Legacy, 1280, 720)]
    [InlineData("% geometry 1x1\n% evt 3.0\n% format evt3;width=346;height=260\n% end\n", RawEventFormat.Evt3, 346, 260)]
    public void Header_Variants_AreParsed(string text, RawEventFormat format, int width, int height)
    {
        byte[] header = Header(text);
        using var ms = new MemoryStream(Concat(header, [0x00, 0x80]));
        RawFileHeader h = RawFileHeader.Read(ms, "h.raw");
        Assert.Equal(format, h.Format);
        Assert.Equal((width, height), (h.Width, h.Height));
        Assert.Equal(header.Length, h.DataOffset);
        Assert.Equal(header.Length, ms.Position);
    }

    [Fact]
    public void Header_EndLine_StopsBeforeDataStartingWithPercent()
    {
        byte[] header = Header("% camera_integrator_name Prophesee\n% date 2023-05-01 10:00:00\n% format EVT2;height=480;width=640\n% end\n");
        // 0x25 is '%': without '% end' it would be taken for another header line.
        using var ms = new MemoryStream(Concat(header, Words32(0x8000_0025)));
        RawFileHeader h = RawFileHeader.Read(ms, null);
        Assert.Equal(header.Length, h.DataOffset);
        Assert.Equal("Prophesee", h.Get("camera_integrator_name"));
        Assert.Equal("2023-05-01 10:00:00", h.Get("date"));
        Assert.Null(h.Get("end"));
    }

    [Theory]
    [InlineData("% format EVT4;height=720;width=1280\n% end\n")]
    [InlineData("% format HISTO3D;height=720;width=1280\n% end\n")]
    [InlineData("% evt 4.0\n% geometry 640x480\n")]
    [InlineData("% geometry 640x480\n% end\n")]
    [InlineData("")]
    public void Header_UnknownFormat_ThrowsUnsupported(string text)
    {
        using var ms = new MemoryStream(Concat(Header(text), [0, 0]));
        UnsupportedDataException e = Assert.Throws<UnsupportedDataException>(() => RawFileHeader.Read(ms, "u.raw"));
        Assert.Contains("u.raw", e.Message);
    }

    [Theory]
    [InlineData("% evt 3.0\n% end\n")]
    [InlineData("% evt 3.0\n% geometry 640-480\n% end\n")]
    [InlineData("% format EVT3;height=0;width=640\n% end\n")]
    [InlineData("% format EVT3;height=480;width=4096\n% end\n")]
    public void Header_BadOrMissingGeometry_ThrowsDataFormat(string text)
    {
        using var ms = new MemoryStream(Header(text));
        Assert.Throws<DataFormatException>(() => RawFileHeader.Read(ms, null));
    }

    [Fact]
    public void Header_MissingGeometry_CanBeGivenExplicitly()
    {
        using var ms = new MemoryStream(Header("% evt 3.0\n% end\n"));
        RawFileHeader h = RawFileHeader.Read(ms, null, width: 640, height: 480);
        Assert.Equal((640, 480), (h.Width, h.Height));
    }

    [Theory]
    // Metavision's system-ID table (docs/FORMATS.md §4): the size and, without any format line, the encoding.
    [InlineData("% evt 3.0\n% system_ID 48\n% end\n", RawEventFormat.Evt3, 1280, 720, "system_ID 48 (EVK3_GEN41)")]
    [InlineData("% evt 2.0\n% system_ID 21\n% integrator_name Prophesee\n% end\n", RawEventFormat.Evt2, 640, 480, "system_ID 21 (CCAM3_GEN3)")]
    [InlineData("% system_ID 40\n% end\n", RawEventFormat.Evt3, 640, 480, "system_ID 40 (EVK3_GEN31_EVT3)")]
    [InlineData("% format EVT3\n% plugin_name hal_plugin_gen41_evk2\n% system_ID 39\n% end\n", RawEventFormat.Evt3, 1280, 720, "system_ID 39 (EVK2_GEN41)")]
    // Heuristics when the table does not know the camera or a foreign integrator disables it.
    [InlineData("% evt 3.0\n% system_ID 52\n% plugin_name hal_plugin_imx636_evk4\n% end\n", RawEventFormat.Evt3, 1280, 720, "plugin_name hal_plugin_imx636_evk4 (heuristic)")]
    [InlineData("% evt 2.0\n% system_ID 21\n% camera_integrator_name Acme\n% plugin_name hal_plugin_gen31_fx3\n% end\n", RawEventFormat.Evt2, 640, 480, "plugin_name hal_plugin_gen31_fx3 (heuristic)")]
    [InlineData("% evt 3.0\n% sensor_generation 320.1\n% end\n", RawEventFormat.Evt3, 320, 320, "sensor_generation 320.1 (heuristic)")]
    // A geometry in the header wins over the table.
    [InlineData("% evt 3.0\n% system_ID 48\n% geometry 640x512\n% end\n", RawEventFormat.Evt3, 640, 512, "header")]
    public void Header_WithoutGeometry_TakesTheSizeFromTheCamera(string text, RawEventFormat format, int width, int height, string source)
    {
        using var ms = new MemoryStream(Header(text));
        RawFileHeader h = RawFileHeader.Read(ms, "old.raw");
        Assert.Equal((format, width, height, source), (h.Format, h.Width, h.Height, h.SizeSource));
    }

    [Theory]
    [InlineData("% evt 3.0\n% system_ID 52\n% end\n", "system_ID 52 is not a known Prophesee camera")]
    [InlineData("% evt 3.0\n% end\n", "there is no system_ID")]
    [InlineData("% evt 2.0\n% system_ID 21\n% plugin_integrator_name Acme\n% end\n", "system_ID 21 is not a known Prophesee camera")]
    public void Header_WithoutAnyKnownSize_SaysSoOnOneLine(string text, string reason)
    {
        using var ms = new MemoryStream(Header(text));
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFileHeader.Read(ms, "old.raw"));
        Assert.StartsWith("old.raw: the header gives no sensor size", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Contains("--width and --height", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void SystemIdTable_MatchesTheSpec()
    {
        Assert.Equal(22, PropheseeCameras.Table.Count);
        Assert.Equal(22, PropheseeCameras.Table.Select(c => c.SystemId).Distinct().Count());
        Assert.All(PropheseeCameras.Table, c => Assert.Equal(c.Generation.StartsWith('3') ? (640, 480) : (1280, 720), (c.Width, c.Height)));
        Assert.Null(PropheseeCameras.Find(0x37));
    }

    [Fact]
    public void Header_OverlongLine_Throws()
    {
        using var ms = new MemoryStream(Header("% x " + new string('a', 5000) + "\n"));
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawFileHeader.Read(ms, null));
        Assert.Contains("longer than", e.Message);
    }

    [Fact]
    public void RoundTrip_Dat_RawEvt2_Dat_IsExact()
    {
        using TempDir dir = Fixtures.TempDir();
        // Timestamps up to ~2^32 µs so every time-high bit is exercised; the .dat format stops at 2^32.
        EventArray events = RandomEvents(50_000, 640, 480, seed: 1, maxStep: 300_000);
        Assert.True(events.T[events.Count - 1] < uint.MaxValue);
        DatFile.Write(dir.File("a.dat"), events);
        EventConversionResult toRaw = EventFileConverter.Convert(dir.File("a.dat"), dir.File("b.raw"));
        Assert.Equal(events.Count, toRaw.Events);
        RawReadResult raw = RawFile.ReadAll(dir.File("b.raw"));
        Assert.Equal(RawEventFormat.Evt2, raw.Header.Format);
        AssertSame(events, raw.Events);
        EventConversionResult back = EventFileConverter.Convert(dir.File("b.raw"), dir.File("c.dat"));
        Assert.Equal(events.Count, back.Events);
        Assert.Equal(0, back.RawStats!.SkippedNonCdWords);
        AssertSame(events, DatFile.ReadAll(dir.File("c.dat")));
    }

    [Fact]
    public void Evt2Writer_PastTheCounterRange_WrapsAndReadsBack()
    {
        using TempDir dir = Fixtures.TempDir();
        EventArray events = RandomEvents(2_000, 64, 48, seed: 2, maxStep: 50_000_000);
        for (int i = 0; i < events.Count; i++)
        {
            events.T[i] += (1L << 34) - 5_000_000_000; // crosses 2^34 µs part-way
        }
        Assert.True(events.T[events.Count - 1] > 1L << 34);
        RawFile.WriteEvt2(dir.File("w.raw"), events);
        RawReadResult r = RawFile.ReadAll(dir.File("w.raw"));
        AssertSame(events, r.Events);
        Assert.Equal(1, r.Stats.TimeHighWraps);
    }

    [Fact]
    public void Evt2Writer_RejectsWhatItCannotEncode()
    {
        using var ms = new MemoryStream();
        using var w = new Evt2Writer(ms, 64, 48, leaveOpen: true);
        Assert.Throws<ArgumentException>(() => w.Write(64, 0, 1, 0));
        Assert.Throws<ArgumentException>(() => w.Write(0, 0, 1, -1));
        w.Write(0, 0, 1, 1L << 33);
        Assert.Throws<ArgumentException>(() => w.Write(0, 0, 1, 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadWindows_SmallChunks_CoverEveryEventInOrder(bool reuse)
    {
        using TempDir dir = Fixtures.TempDir();
        EventArray events = RandomEvents(20_000, 320, 240, seed: 3, maxStep: 400);
        RawFile.WriteEvt2(dir.File("s.raw"), events);
        using RawEventReader reader = RawEventReader.Open(dir.File("s.raw"), chunkBytes: 60);
        var parts = new List<EventArray>();
        long expectStart = events.T[0] / 1000 * 1000;
        foreach (RawEventWindow w in reader.ReadWindows(1000, reuseBuffers: reuse))
        {
            Assert.Equal(expectStart, w.Start);
            Assert.Equal(w.Start + 1000, w.End);
            for (int i = 0; i < w.Events.Count; i++)
            {
                Assert.InRange(w.Events.T[i], w.Start, w.End - 1);
            }
            parts.Add(w.Events.Slice(0, w.Events.Count));
            expectStart = w.End;
        }
        Assert.True(parts.Count > 10);
        AssertSame(events, EventArray.Concat(parts, 320, 240));
    }

    [Fact]
    public void ConvertCommand_RawToDat_Works()
    {
        using TempDir dir = Fixtures.TempDir();
        EventArray events = RandomEvents(1_000, 64, 48, seed: 4);
        RawFile.WriteEvt2(dir.File("in.raw"), events);
        CliRunner.Run(["convert", dir.File("in.raw"), dir.File("out.dat")]);
        AssertSame(events, DatFile.ReadAll(dir.File("out.dat")));
        Assert.Contains("evt3", CliRunner.BadInput(["convert", dir.File("in.raw"), dir.File("out.raw"), "--format", "evt3"]));
    }
}
