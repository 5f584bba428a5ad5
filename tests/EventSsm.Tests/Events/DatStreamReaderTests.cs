using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.Tests.Events;

public sealed class DatStreamReaderTests
{
    [Fact]
    public void Open_Golden_CountAndGeometryWithoutReadingEvents()
    {
        using var r = new DatStreamReader(GoldenEvents.DatPath);
        Assert.Equal(304_659, r.Count);
        Assert.Equal((304, 240), (r.Width, r.Height));
        Assert.Equal(0, r.TimeAt(0));
        Assert.Equal(5_999_958, r.TimeAt(r.Count - 1));
    }

    [Fact]
    public void Bounds_Golden_EqualInMemorySearchsorted()
    {
        EventArray all = GoldenEvents.Recording;
        using var r = new DatStreamReader(GoldenEvents.DatPath);
        long[] probes = [-1, 0, 1, 2, 123_456, 123_457, 123_458, 3_330_000, 3_400_000, 3_450_000, 5_999_958, 5_999_959, 7_000_000];
        foreach (long t in probes.Concat(all.T.Where((_, i) => i % 9973 == 0)))
        {
            Assert.Equal(all.LowerBound(t), r.LowerBound(t));
            Assert.Equal(all.UpperBound(t), r.UpperBound(t));
        }
    }

    [Fact]
    public void ClosedWindows_Golden_MatchGoldenIndexRanges()
    {
        long[] ends = NpyFile.Read(Fixtures.Events.WindowEnds).ToArray<long>();
        long[] ranges = NpyFile.Read(Fixtures.Events.WindowEventRanges).ToArray<long>();
        using var r = new DatStreamReader(GoldenEvents.DatPath);
        EventWindow[] windows = EventWindows.Closed(r, ends, 50_000).Select(w => w with { Events = w.Events.Slice(0, w.Events.Count) }).ToArray();
        Assert.Equal(21, windows.Length);
        for (int i = 0; i < ends.Length; i++)
        {
            Assert.Equal(ranges[2 * i], windows[i].StartIndex);
            Assert.Equal(ranges[2 * i + 1], windows[i].EndIndex);
            EventArray expected = GoldenEvents.Recording.Slice((int)ranges[2 * i], (int)(ranges[2 * i + 1] - ranges[2 * i]));
            Assert.True(RandomEvents.SameEvents(expected, windows[i].Events), $"window {i}");
        }
    }

    [Fact]
    public void ByCount_Golden_ConcatenationIsReadAll()
    {
        using var r = new DatStreamReader(GoldenEvents.DatPath);
        var buffer = new EventBuffer(r.Width, r.Height);
        var parts = new List<EventArray>();
        foreach (EventArray chunk in EventWindows.ByCount(r, 100_000, buffer))
        {
            Assert.InRange(chunk.Count, 1, 100_000);
            Assert.Same(buffer.X, chunk.X);
            parts.Add(chunk.Slice(0, chunk.Count));
        }
        Assert.Equal(4, parts.Count);
        Assert.True(RandomEvents.SameEvents(GoldenEvents.Recording, EventArray.Concat(parts, 304, 240)));
        Assert.Equal(100_000, buffer.Capacity);
    }

    [Fact]
    public void ByDuration_Golden_SlicesAreHalfOpenAndCoverAll()
    {
        using var r = new DatStreamReader(GoldenEvents.DatPath);
        long total = 0;
        long k = 0;
        foreach (EventArray slice in EventWindows.ByDuration(r, 250_000))
        {
            for (int i = 0; i < slice.Count; i++)
            {
                Assert.InRange(slice.T[i], k * 250_000, (k + 1) * 250_000 - 1);
            }
            total += slice.Count;
            k++;
        }
        Assert.Equal(24, k);
        Assert.Equal(r.Count, total);
    }

    [Property(MaxTest = 60)]
    public Property Bounds_RandomFile_EqualInMemorySearchsorted()
    {
        Arbitrary<(EventArray, long[])> arb =
            (from ev in RandomEvents.Arbitrary(maxCount: 200, maxStepUs: 50).Generator
             from probes in Gen.ArrayOf(Gen.Choose(999_000, 1_012_000).Select(v => (long)v), 10)
             select (ev, probes)).ToArbitrary();
        return Prop.ForAll(arb, c =>
        {
            (EventArray ev, long[] probes) = c;
            using TempDir dir = Fixtures.TempDir();
            string path = dir.File("p.dat");
            DatFile.Write(path, ev);
            using var r = new DatStreamReader(path);
            var inMemory = new EventArrayReader(ev);
            return probes.All(t => r.LowerBound(t) == inMemory.LowerBound(t) && r.UpperBound(t) == inMemory.UpperBound(t))
                && RandomEvents.SameEvents(ev, r.Read(0, (int)r.Count, new EventBuffer(r.Width, r.Height)));
        });
    }

    [Fact]
    public void Open_Dispatch_ByExtension()
    {
        using IEventReader r = EventRecording.Open(GoldenEvents.DatPath);
        Assert.IsType<DatStreamReader>(r);
        Assert.Throws<NotSupportedException>(() => EventRecording.DetectFormat("x.bin"));
        Assert.Throws<FileNotFoundException>(() => EventRecording.Open("/nonexistent/x.dat"));
        Assert.True(RandomEvents.SameEvents(GoldenEvents.Recording, EventRecording.ReadAll(GoldenEvents.DatPath)));
    }
}
