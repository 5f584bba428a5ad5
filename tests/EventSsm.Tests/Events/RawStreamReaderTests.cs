using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using EventSsm.Events;
using EventSsm.IO;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

/// <summary>
/// The indexed .raw reader against the oracle "decode the whole file, take the running maximum of the times, then
/// searchsorted and slice in memory".
/// </summary>
public sealed class RawStreamReaderTests
{
    private static readonly RawEventFormat[] AllFormats =
        [RawEventFormat.Evt2, RawEventFormat.Evt21, RawEventFormat.Evt21Legacy, RawEventFormat.Evt3];

    public static TheoryData<RawEventFormat> Formats => [.. AllFormats];

    /// <summary>Whole-file decode with the running-maximum time correction EventRecording applies to .raw files.</summary>
    private static EventArray SortedFullDecode(string path)
    {
        EventArray e = RawFile.ReadAll(path).Events;
        for (int i = 1; i < e.Count; i++)
        {
            e.T[i] = Math.Max(e.T[i], e.T[i - 1]);
        }
        return e;
    }

    /// <summary>Random half-open windows [t0, t1), random index ranges and random TimeAt probes.</summary>
    private static void AssertMatches(EventArray expected, IEventReader reader, Random rng, int probes)
    {
        Assert.Equal(expected.Count, reader.Count);
        Assert.Equal(expected.Width, reader.Width);
        Assert.Equal(expected.Height, reader.Height);
        if (expected.Count == 0)
        {
            Assert.Equal(0, reader.LowerBound(rng.NextInt64()));
            return;
        }
        var buffer = new EventBuffer(reader.Width, reader.Height);
        long lo = expected.T[0] - 20;
        long hi = expected.T[expected.Count - 1] + 20;
        for (int k = 0; k < probes; k++)
        {
            // Half the probes hit event times exactly, where left and right bounds differ.
            long t0 = rng.Next(2) == 0 ? expected.T[rng.Next(expected.Count)] : rng.NextInt64(lo, hi);
            long t1 = rng.Next(2) == 0 ? expected.T[rng.Next(expected.Count)] : t0 + rng.NextInt64(0, (hi - lo) / 8 + 1);
            Assert.Equal(expected.LowerBound(t0), reader.LowerBound(t0));
            Assert.Equal(expected.UpperBound(t0), reader.UpperBound(t0));
            Assert.Equal(expected.UpperBound(t1), reader.UpperBound(t1));
            long start = reader.LowerBound(t0);
            long end = Math.Max(start, reader.LowerBound(t1));
            AssertSame(expected.Slice((int)start, (int)(end - start)), reader.Read(start, (int)(end - start), buffer));

            int i = rng.Next(expected.Count);
            Assert.Equal(expected.T[i], reader.TimeAt(i));
            int n = rng.Next(expected.Count - i + 1);
            AssertSame(expected.Slice(i, n), reader.Read(i, n, buffer));
        }
        Assert.Equal(expected.T[expected.Count - 1], reader.TimeAt(expected.Count - 1));
        Assert.Equal(expected.Count, reader.UpperBound(long.MaxValue));
        Assert.Equal(0, reader.LowerBound(long.MinValue));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void RandomAccess_AtManyCheckpointSpacings_EqualsFullDecode(RawEventFormat format)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("r.raw");
        // EVT 3.0 words are 2 bytes: more of them so the file spans several 64 KiB pieces too.
        System.IO.File.WriteAllBytes(path, RandomRawStreams.File(format, seed: (int)format + 1, words: format == RawEventFormat.Evt3 ? 80_000 : 20_000));
        EventArray expected = SortedFullDecode(path);

        foreach (long spacing in new long[] { 8, 24, 4096, RawTimeIndex.DefaultCheckpointBytes })
        {
            using RawStreamReader reader = RawStreamReader.Open(path, checkpointBytes: spacing);
            AssertMatches(expected, reader, new Random((int)spacing), probes: 150);
            Assert.True(reader.Index.Stats.TimeHighWraps > 0, "the stream should wrap the time-high counter");
            Assert.True(reader.Index.Stats.TimeHighBackwardSteps > 0, "the stream should step back in time");
        }
    }

    [Property(MaxTest = 40)]
    public Property RandomStreamsAndWindows_EqualFullDecode()
    {
        Arbitrary<(int, int, int, int)> arb =
            (from format in Gen.Choose(0, 3)
             from seed in Gen.Choose(0, int.MaxValue - 1)
             from words in Gen.Choose(0, 3000)
             from spacing in Gen.Choose(1, 64)
             select (format, seed, words, spacing * 8)).ToArbitrary();
        return Prop.ForAll(arb, c =>
        {
            (int formatIndex, int seed, int words, int spacing) = c;
            RawEventFormat format = AllFormats[formatIndex];
            using TempDir dir = Fixtures.TempDir();
            string path = dir.File("p.raw");
            System.IO.File.WriteAllBytes(path, RandomRawStreams.File(format, seed, words));
            using RawStreamReader reader = RawStreamReader.Open(path, checkpointBytes: spacing);
            AssertMatches(SortedFullDecode(path), reader, new Random(seed), probes: 20);
        });
    }

    [Fact]
    public void Evt3_CheckpointsInsideVectorRunsAndTimePairs_ResumeExactly()
    {
        // With a checkpoint every 4 words, checkpoints fall after a TIME_HIGH before its TIME_LOW, between a
        // VECT_BASE_X and its vectors, and between two vectors of one run (base x already advanced).
        byte[] file = Concat(Header("% format EVT3;height=48;width=256\n% end\n"), Words16(
            0x8FFF, 0x6FF0, 0x0005, 0x8000,
            0x6001, 0x3010, 0x4FFF, 0x5011,
            0x4003, 0x5080, 0x2003, 0x3820,
            0x40F0, 0x6002, 0x5001, 0x0007,
            0x4001, 0x8001, 0x2004, 0x6003));
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("v.raw");
        System.IO.File.WriteAllBytes(path, file);
        using RawStreamReader reader = RawStreamReader.Open(path, checkpointBytes: 8);

        ReadOnlySpan<RawCheckpoint> cps = reader.Index.Checkpoints;
        Assert.Equal(6, cps.Length);
        Assert.Equal((1L, 0u, 0u), (cps[1].State.TimeLoops, cps[1].State.TimeHigh, cps[1].State.TimeLow));
        Assert.True(cps[2].State.HasBaseX);
        Assert.Equal(0x10 + 12 + 8, cps[2].State.BaseX);
        Assert.Equal(((byte)1, 0x20), (cps[3].State.BasePolarity, cps[3].State.BaseX));
        EventArray expected = SortedFullDecode(path);
        Assert.Equal(12 + 2 + 2 + 1 + 1 + 4 + 1 + 1 + 1, expected.Count);
        Assert.Equal((1L << 24) + 4096, expected.T[^1]);
        var buffer = new EventBuffer(256, 48);
        for (int i = 0; i < expected.Count; i++)
        {
            for (int n = 0; n <= expected.Count - i; n++)
            {
                AssertSame(expected.Slice(i, n), reader.Read(i, n, buffer));
            }
        }
        AssertMatches(expected, reader, new Random(3), probes: 100);
    }

    [Fact]
    public void Evt2Writer_PastTheCounterRange_ReadsBackByWindow()
    {
        // 2^34 µs is the EVT 2.0 time range: the writer's time-high wraps and the index must carry the loop count.
        EventArray events = RandomEvents(5000, 64, 48, seed: 5, maxStep: 30_000_000);
        for (int i = 0; i < events.Count; i++)
        {
            events.T[i] += (1L << 34) - 10_000_000_000;
        }
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("w.raw");
        RawFile.WriteEvt2(path, events);
        using (IEventReader opened = EventRecording.Open(path))
        {
            Assert.IsType<RawStreamReader>(opened);
            AssertMatches(events, opened, new Random(9), probes: 50);
        }
        using RawStreamReader reader = RawStreamReader.Open(path, checkpointBytes: 256);
        Assert.True(reader.Index.Stats.TimeHighWraps > 0);
        AssertMatches(events, reader, new Random(9), probes: 200);
    }

    [Fact]
    public void ParallelReads_WithTheirOwnBuffers_AreIndependent()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("p.raw");
        System.IO.File.WriteAllBytes(path, RandomRawStreams.File(RawEventFormat.Evt3, seed: 4, words: 60_000));
        EventArray expected = SortedFullDecode(path);
        using RawStreamReader reader = RawStreamReader.Open(path, checkpointBytes: 512);

        Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var rng = new Random(k);
            var buffer = new EventBuffer(reader.Width, reader.Height);
            for (int j = 0; j < 10; j++)
            {
                int i = rng.Next(expected.Count);
                int n = rng.Next(Math.Min(5000, expected.Count - i + 1));
                AssertSame(expected.Slice(i, n), reader.Read(i, n, buffer));
            }
        });
    }

    [Fact]
    public void TruncatedWord_OrFileShrunkAfterIndexing_RaiseDataFormatException()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("t.raw");
        byte[] file = RandomRawStreams.File(RawEventFormat.Evt2, seed: 2, words: 40_000);
        System.IO.File.WriteAllBytes(path, file[..^1]);
        DataFormatException e = Assert.Throws<DataFormatException>(() => RawStreamReader.Open(path));
        Assert.Contains(path, e.Message);

        System.IO.File.WriteAllBytes(path, file);
        using RawStreamReader reader = RawStreamReader.Open(path, checkpointBytes: 1024);
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            fs.SetLength(file.Length / 2);
        }
        e = Assert.Throws<DataFormatException>(() => reader.Read(reader.Count - 10, 10, new EventBuffer(reader.Width, reader.Height)));
        Assert.Contains("changed", e.Message);
    }

    [Fact]
    public void CheckpointSpacing_MustBeAWholeNumberOfEveryWordSize()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("s.raw");
        System.IO.File.WriteAllBytes(path, RandomRawStreams.File(RawEventFormat.Evt21, seed: 1, words: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => RawStreamReader.Open(path, checkpointBytes: 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => RawStreamReader.Open(path, checkpointBytes: 0));
    }

    [Fact]
    public void Index_ReportsProgress_AndSpacesCheckpointsByBytes()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("g.raw");
        byte[] file = RandomRawStreams.File(RawEventFormat.Evt2, seed: 8, words: 300_000);
        System.IO.File.WriteAllBytes(path, file);
        var reported = new List<long>();
        RawTimeIndex index = RawTimeIndex.Build(path, progress: new SyncProgress<ProgressReport>(p =>
        {
            Assert.Equal(file.Length, p.Total);
            reported.Add(p.Done);
        }));

        long data = file.Length - index.Header.DataOffset;
        Assert.Equal((data + RawTimeIndex.DefaultCheckpointBytes - 1) / RawTimeIndex.DefaultCheckpointBytes, index.CheckpointCount);
        Assert.Equal(file.Length, reported[^1]);
        Assert.True(reported.Count >= 2);
        Assert.Equal(RawFile.ReadAll(path).Stats.ToString(), index.Stats.ToString());
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
