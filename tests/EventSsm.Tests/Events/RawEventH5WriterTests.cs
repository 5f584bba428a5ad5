using EventSsm.Events;

namespace EventSsm.Tests.Events;

public sealed class RawEventH5WriterTests
{
    [Fact]
    public void Write_GoldenEvents_ReadBackIdentical()
    {
        EventArray dat = DatFile.ReadAll(Fixtures.Events.SynthDat);
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("a_td.dat.h5");
        RawEventH5Writer.Write(path, dat);
        EventArray back = RawEventH5Reader.ReadAll(path, SensorSize.Gen4);
        Assert.Equal((dat.Width, dat.Height, dat.Count), (back.Width, back.Height, back.Count));
        Assert.Equal(dat.X.AsSpan(0, dat.Count).ToArray(), back.X.AsSpan(0, back.Count).ToArray());
        Assert.Equal(dat.Y.AsSpan(0, dat.Count).ToArray(), back.Y.AsSpan(0, back.Count).ToArray());
        Assert.Equal(dat.P.AsSpan(0, dat.Count).ToArray(), back.P.AsSpan(0, back.Count).ToArray());
        Assert.Equal(dat.T.AsSpan(0, dat.Count).ToArray(), back.T.AsSpan(0, back.Count).ToArray());
    }

    [Fact]
    public void Write_NoEvents_ReadsBackEmptyWithSize()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("empty.h5");
        RawEventH5Writer.Write(path, EventArray.Allocate(0, 640, 480));
        EventArray back = RawEventH5Reader.ReadAll(path);
        Assert.Equal((0, 640, 480), (back.Count, back.Width, back.Height));
    }

    [Fact]
    public void Write_FewerEventsThanAnnounced_ThrowsAndLeavesNoFile()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("short.h5");
        Assert.Throws<InvalidOperationException>(() =>
            RawEventH5Writer.Write(path, 10, 304, 240, sink => sink(EventArray.Allocate(3, 304, 240))));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
