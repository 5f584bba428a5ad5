using System.Text;
using EventSsm.Events;
using EventSsm.IO;

namespace EventSsm.Tests.Events;

public sealed class CsvEventTests
{
    [Fact]
    public void DatToCsvToDat_IsExact()
    {
        using TempDir dir = Fixtures.TempDir();
        string csv = dir.File("events.csv");
        string dat = dir.File("back.dat");
        EventConversionResult r = EventFileConverter.Convert(GoldenEvents.DatPath, csv);
        Assert.Equal(GoldenEvents.Recording.Count, r.Events);
        string[] head = File.ReadLines(csv).Take(3).ToArray();
        Assert.Equal("# EventSsm events, t in microseconds: width=304 height=240", head[0]);
        Assert.Equal("t,x,y,p", head[1]);
        EventFileConverter.Convert(csv, dat);
        EventArray a = GoldenEvents.Recording;
        EventArray b = EventRecording.ReadAll(dat);
        Assert.Equal((a.Width, a.Height, a.Count), (b.Width, b.Height, b.Count));
        Assert.Equal(a.T.Take(a.Count), b.T.Take(b.Count));
        Assert.Equal(a.X.Take(a.Count), b.X.Take(b.Count));
        Assert.Equal(a.Y.Take(a.Count), b.Y.Take(b.Count));
        Assert.Equal(a.P.Take(a.Count), b.P.Take(b.Count));
    }

    [Fact]
    public void RandomAccess_AcrossBlocks_MatchesTheWholeFile()
    {
        using TempDir dir = Fixtures.TempDir();
        string csv = dir.File("golden.csv");
        EventFileConverter.Convert(GoldenEvents.DatPath, csv);
        EventArray all = GoldenEvents.Recording;
        Assert.True(all.Count > 2 * CsvEventReader.BlockEvents);
        using var r = CsvEventReader.Open(csv);
        Assert.Equal("comment", r.SizeSource);
        var rng = new Random(8);
        for (int i = 0; i < 50; i++)
        {
            long t = all.T[rng.Next(all.Count)] + rng.Next(-1, 2);
            Assert.Equal(all.LowerBound(t), r.LowerBound(t));
            Assert.Equal(all.UpperBound(t), r.UpperBound(t));
            int start = rng.Next(all.Count - 40000);
            EventArray part = r.Read(start, 40000, new EventBuffer(r.Width, r.Height));
            Assert.Equal(all.T.AsSpan(start, 40000).ToArray(), part.T.AsSpan(0, 40000).ToArray());
            Assert.Equal(all.X.AsSpan(start, 40000).ToArray(), part.X.AsSpan(0, 40000).ToArray());
        }
    }

    [Theory]
    [InlineData("t,x,y,p\n10,1,2,1\n12,3,4,0\n")]
    [InlineData("x;y;p;timestamp\r\n1;2;1;10\r\n3;4;0;12\r\n")]
    [InlineData("# comment\n% geometry 8x6\nts\tx\ty\tpolarity\n10\t1\t2\t1\n12\t3\t4\t-1\n")]
    [InlineData("10 1 2 1\n\n  12   3 4 0  \n")]
    [InlineData("\"t\",\"x\",\"y\",\"p\"\n10,1,2,1\n12,3,4,0")]
    public void Variants_AllReadTheSameEvents(string text)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("e.txt");
        File.WriteAllText(path, text);
        using IEventReader r = EventRecording.Open(path);
        EventArray e = r.Read(0, (int)r.Count, new EventBuffer(r.Width, r.Height));
        Assert.Equal([10L, 12], e.T.Take(2));
        Assert.Equal([(ushort)1, (ushort)3], e.X.Take(2));
        Assert.Equal([(ushort)2, (ushort)4], e.Y.Take(2));
        Assert.Equal([(byte)1, (byte)0], e.P.Take(2));
        Assert.Equal(text.Contains("8x6") ? (8, 6) : (4, 5), (r.Width, r.Height));
    }

    [Theory]
    [InlineData("t,x,y,p\n10,1,2,1\n9,1,2,1\n", "line 3: t 9 is earlier than the previous event's 10 (events must be sorted by time)")]
    [InlineData("t,x,y,p\n10.5,1,2,1\n", "line 2: column 1 '10.5' is not an integer (t must be integer microseconds)")]
    [InlineData("t,x,y,p\n10,1,2\n", "line 2: 3 column(s), expected 4")]
    [InlineData("t,x,y,p\n10,1,2,2\n", "line 2: polarity 2 is not −1, 0 or 1")]
    [InlineData("time,x,y\n10,1,2\n", "line 1: the header 'time,x,y' has no column p (accepted: p, pol, polarity)")]
    [InlineData("# width=4 height=4\n10,5,2,1\n", "an event at x 5 or y 2 lies outside the 4×4 sensor (comment)")]
    public void BadText_IsAOneLineErrorNamingFileAndLine(string text, string reason)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("bad.csv");
        File.WriteAllText(path, text);
        DataFormatException e = Assert.Throws<DataFormatException>(() => CsvEventReader.Open(path));
        Assert.Equal($"{path}: {reason}", e.Message);
    }

    [Fact]
    public void GivenSize_AppliesWithoutAComment()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("e.csv");
        File.WriteAllText(path, "10,1,2,1\n");
        using var r = CsvEventReader.Open(path, new SensorSize(640, 480));
        Assert.Equal((640, 480, "given"), (r.Width, r.Height, r.SizeSource));
        Assert.Equal(Encoding.ASCII.GetBytes("10,1,2,1\n"), File.ReadAllBytes(path));
    }
}
