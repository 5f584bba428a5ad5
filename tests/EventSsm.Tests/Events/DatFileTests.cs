using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using EventSsm.Events;
using EventSsm.IO;

namespace EventSsm.Tests.Events;

public sealed class DatFileTests
{
    [Fact]
    public void ReadHeader_Golden_MatchesDataReadme()
    {
        DatHeader h = DatFile.ReadHeader(GoldenEvents.DatPath);
        Assert.Equal(105, h.DataOffset);
        Assert.Equal(304, h.Width);
        Assert.Equal(240, h.Height);
        Assert.Equal(0, h.EventType);
        Assert.Equal(8, h.EventSize);
        Assert.Equal(5, h.Lines.Count);
    }

    [Fact]
    public void ReadAll_Golden_CountsTimeRangeAndPolarity()
    {
        EventArray ev = GoldenEvents.Recording;
        Assert.Equal(304_659, ev.Count);
        Assert.Equal(0, ev.T[0]);
        Assert.Equal(5_999_958, ev.T[ev.Count - 1]);
        Assert.Equal(152_906, ev.P.AsSpan(0, ev.Count).Count((byte)1));
        Assert.Equal(ev.Count - 152_906, ev.P.AsSpan(0, ev.Count).Count((byte)0));
        Assert.True(ev.X.AsSpan(0, ev.Count).IndexOfAnyInRange((ushort)304, ushort.MaxValue) < 0);
        Assert.True(ev.Y.AsSpan(0, ev.Count).IndexOfAnyInRange((ushort)240, ushort.MaxValue) < 0);
    }

    [Fact]
    public void ReadAll_Golden_HasTheDocumentedGap()
    {
        EventArray ev = GoldenEvents.Recording;
        Assert.Equal(ev.LowerBound(3_330_000), ev.LowerBound(3_450_000));
    }

    [Fact]
    public void WriteThenRead_Golden_ByteIdentical()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("copy.dat");
        DatFile.Write(path, GoldenEvents.Recording, date: "2024-01-01 00:00:00");
        Assert.Equal(File.ReadAllBytes(GoldenEvents.DatPath), File.ReadAllBytes(path));
    }

    [Property(MaxTest = 100)]
    public Property WriteThenRead_IsIdentity()
    {
        return Prop.ForAll(RandomEvents.Arbitrary(maxCount: 300), ev =>
        {
            using TempDir dir = Fixtures.TempDir();
            string path = dir.File("r.dat");
            DatFile.Write(path, ev);
            EventArray back = DatFile.ReadAll(path);
            return RandomEvents.SameEvents(ev, back) && back.Width == ev.Width && back.Height == ev.Height;
        });
    }

    [Fact]
    public void ReadAll_CompleteHeaderWithoutEvents_IsEmptyRecordingWithItsGeometry()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("empty.dat");
        DatFile.Write(path, EventArray.Empty(1280, 720));
        EventArray ev = DatFile.ReadAll(path);
        Assert.Equal(0, ev.Count);
        Assert.Equal((1280, 720), (ev.Width, ev.Height));
    }

    [Fact]
    public void ReadAll_HeaderCutBeforeTypeAndSizeBytes_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("cut.dat");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("% Height 720\n% Width 1280\n"));
        DataFormatException e = Assert.Throws<DataFormatException>(() => DatFile.ReadAll(path));
        Assert.Contains("cut.dat", e.Message);
        Assert.Contains("ev_type/ev_size", e.Message);
    }

    [Fact]
    public void ReadAll_EmptyFile_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("zero.dat");
        File.WriteAllBytes(path, []);
        Assert.Throws<DataFormatException>(() => DatFile.ReadAll(path));
    }

    [Fact]
    public void ReadAll_TruncatedLastEvent_ThrowsWithOffset()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("trunc.dat");
        byte[] golden = File.ReadAllBytes(GoldenEvents.DatPath);
        File.WriteAllBytes(path, golden.AsSpan(0, 105 + 8 * 10 + 5).ToArray());
        DataFormatException e = Assert.Throws<DataFormatException>(() => DatFile.ReadAll(path));
        Assert.Contains("trunc.dat", e.Message);
        Assert.Contains($"byte {105 + 80}", e.Message);
    }

    [Theory]
    [InlineData("% Height abc\n% Width 304\n")]
    [InlineData("% Height 0\n% Width 304\n")]
    [InlineData("% Height 240\n% Width 99999\n")]
    [InlineData("% geometry 304by240\n")]
    public void ReadHeader_BadGeometry_Throws(string header)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("bad.dat");
        File.WriteAllBytes(path, [.. Encoding.Latin1.GetBytes(header), 0, 8]);
        DataFormatException e = Assert.Throws<DataFormatException>(() => DatFile.ReadAll(path));
        Assert.Contains("bad.dat", e.Message);
    }

    [Fact]
    public void ReadHeader_EventSizeNot8_IsUnsupported()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("evt.dat");
        File.WriteAllBytes(path, [.. Encoding.Latin1.GetBytes("% Height 240\n% Width 304\n"), 0, 12]);
        Assert.Throws<UnsupportedDataException>(() => DatFile.ReadAll(path));
    }

    [Fact]
    public void ReadHeader_GeometryLine_SetsSensorSize()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("geo.dat");
        File.WriteAllBytes(path, [.. Encoding.Latin1.GetBytes("% geometry 1280x720\n"), 0, 8]);
        DatHeader h = DatFile.ReadHeader(path);
        Assert.Equal((1280, 720), (h.Width, h.Height));
    }

    [Theory]
    [InlineData(304, 0)]
    [InlineData(0, 240)]
    [InlineData(16383, 16383)]
    public void ReadAll_CoordinateOutsideSensor_ThrowsWithOffset(int x, int y)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("coord.dat");
        byte[] bytes = File.ReadAllBytes(GoldenEvents.DatPath).AsSpan(0, 105 + 8 * 4).ToArray();
        uint d = (uint)x | ((uint)y << 14);
        BitConverter.TryWriteBytes(bytes.AsSpan(105 + 8 * 2 + 4), d);
        File.WriteAllBytes(path, bytes);
        DataFormatException e = Assert.Throws<DataFormatException>(() => DatFile.ReadAll(path));
        Assert.Contains($"byte {105 + 16}", e.Message);
        Assert.Contains("outside the 304×240 sensor", e.Message);
    }

    [Fact]
    public void ReadAll_DecreasingTime_ThrowsWithOffset()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("time.dat");
        var ev = new EventArray([1, 2, 3], [1, 2, 3], [0, 1, 0], [10, 20, 30], 304, 240);
        DatFile.Write(path, ev);
        byte[] bytes = File.ReadAllBytes(path);
        long offset = DatFile.ReadHeader(path).DataOffset;
        BitConverter.TryWriteBytes(bytes.AsSpan((int)offset + 16), 5u);
        File.WriteAllBytes(path, bytes);
        DataFormatException e = Assert.Throws<DataFormatException>(() => DatFile.ReadAll(path));
        Assert.Contains($"byte {offset + 16}", e.Message);
    }

    [Fact]
    public void Write_EventOutsideSensor_ThrowsArgumentException()
    {
        var ev = new EventArray([400], [1], [0], [10], 304, 240);
        Assert.Throws<ArgumentException>(() => DatFile.Write(new MemoryStream(), ev));
    }
}
