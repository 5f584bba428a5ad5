using EventSsm.Events;
using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Tests.Events;

public sealed class DsecEventsTests
{
    private static string Sequence => Fixtures.Formats.DsecSequence;

    [Fact]
    public void EventsH5_OpensAt640x480WithAbsoluteTimes()
    {
        string path = DsecDetLabels.EventsPath(Sequence);
        PropheseeHdf5ReaderTests.Expected e = PropheseeHdf5ReaderTests.Expected.Load(Path.Combine("dsec", "events", "left", "events.h5"));
        using IEventReader reader = EventRecording.Open(path);
        RawEventH5Reader r = Assert.IsType<RawEventH5Reader>(reader);
        Assert.True(r.IsDsec);
        Assert.Equal(49_599_300_523L, r.TimeOffsetUs);
        Assert.Equal((640, 480, e.Events), (r.Width, r.Height, r.Count));
        EventArray all = r.Read(0, (int)r.Count, new EventBuffer(640, 480));
        Assert.Equal(e.SumT, all.T.Take(all.Count).Sum());
        Assert.Equal(e.SumX, all.X.Take(all.Count).Sum(v => (long)v));
        Assert.Equal(e.SumP, all.P.Take(all.Count).Sum(v => (long)v));
        foreach (long[] s in e.Samples)
        {
            Assert.Equal((s[1], s[2], s[3], s[4]), (all.X[s[0]], all.Y[s[0]], all.P[s[0]], all.T[s[0]]));
        }
        // Searches take absolute times.
        long t = all.T[3000];
        Assert.Equal(all.LowerBound(t), r.LowerBound(t));
        Assert.Equal(all.UpperBound(t + 1000), r.UpperBound(t + 1000));
        Assert.Equal(0, r.LowerBound(long.MinValue));
        Assert.Equal(r.Count, r.UpperBound(long.MaxValue));
    }

    [Fact]
    public void EventsH5_AnExplicitSizeWins()
    {
        // DAGR's events_2x.h5 is the same layout at half resolution.
        using RawEventH5Reader r = RawEventH5Reader.Open(DsecDetLabels.EventsPath(Sequence), new SensorSize(1280, 960));
        Assert.Equal((1280, 960), (r.Width, r.Height));
    }

    [Theory]
    [InlineData("object_detections/left/tracks.npy")]
    [InlineData("tracks_readme_dtype.npy")]
    public void Tracks_BothPublishedDtypes_ReadAsBoxes(string file)
    {
        string path = Path.Combine(Sequence, file);
        BoundingBox[] boxes = file.Contains("readme") ? BoundingBoxFile.Read(path) : DsecDetLabels.Read(path);
        // The script labels t_offset + 50 ms and + 100 ms, with 3 + k boxes at the k-th time.
        Assert.Equal(3 + 4, boxes.Length);
        Assert.Equal(new BoundingBox(49_599_300_523L + 50_000, 10.5f, 20.25f, 30f, 18.5f, 0, 0.5f, 100), boxes[0]);
        Assert.Equal(new BoundingBox(49_599_300_523L + 100_000, 130.5f, 27.25f, 33f, 19.5f, 6, 0.8f, 103), boxes[^1]);
        Assert.Equal(boxes.Length, BoundingBoxFile.CountByClass(boxes).Values.Sum());
    }

    [Fact]
    public void Tracks_PathConvention()
    {
        Assert.True(DsecDetLabels.IsTracksPath(DsecDetLabels.TracksPath(Sequence)));
        Assert.False(DsecDetLabels.IsTracksPath(Path.Combine(Sequence, "tracks_readme_dtype.npy")));
    }

    [Fact]
    public void Tracks_ClassOutsideTheList_IsAClearError()
    {
        BoundingBox[] boxes = [new(1, 0, 0, 1, 1, 2), new(2, 0, 0, 1, 1, 9)];
        DataFormatException e = Assert.Throws<DataFormatException>(
            () => BoundingBoxFile.CheckClassIds(boxes, DsecDetLabels.ClassNames, "t.npy"));
        Assert.Equal("t.npy: row 1: class_id 9 is not one of the 8 classes (0..7: pedestrian, rider, car, bus, truck, bicycle, motorcycle, train)", e.Message);
    }
}
