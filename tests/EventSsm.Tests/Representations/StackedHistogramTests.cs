using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Numpy;
using EventSsm.Representations;
using EventSsm.Tests.Events;

namespace EventSsm.Tests.Representations;

public sealed class StackedHistogramTests
{
    private const int Gen1Size = 20 * 240 * 304;

    [Fact]
    public void Golden_AllWindowsFromDat_ByteIdentical()
    {
        long[] ends = NpyFile.Read(Fixtures.Events.WindowEnds).ToArray<long>();
        long[] ranges = NpyFile.Read(Fixtures.Events.WindowEventRanges).ToArray<long>();
        NpyArray expected = NpzFile.ReadAll(Fixtures.Events.StackedHistogram)["stacked_hist"];
        Assert.Equal(new long[] { 21, 20, 240, 304 }, expected.Shape);
        var hist = new StackedHistogram(240, 304);
        var output = new byte[Gen1Size];
        using var reader = new DatStreamReader(GoldenEvents.DatPath);
        var buffer = new EventBuffer(304, 240);
        for (int i = 0; i < ends.Length; i++)
        {
            EventWindow w = EventWindows.Read(reader, ends[i], 50_000, buffer);
            Assert.Equal((ranges[2 * i], ranges[2 * i + 1]), (w.StartIndex, w.EndIndex));
            hist.Build(w.Events, output);
            Assert.True(expected.Data.AsSpan(i * Gen1Size, Gen1Size).SequenceEqual(output), $"window {i} (T = {ends[i]})");
        }
    }

    [Fact]
    public void Golden_DocumentedCells_WrapThenClamp()
    {
        var hist = new StackedHistogram(240, 304);
        var buffer = new EventBuffer(304, 240);
        using var reader = new DatStreamReader(GoldenEvents.DatPath);
        byte[] Window(long end)
        {
            var output = new byte[Gen1Size];
            hist.Build(EventWindows.Read(reader, end, 50_000, buffer).Events, output);
            return output;
        }
        static byte Cell(byte[] h, int c, int y, int x) => h[(c * 240 + y) * 304 + x];
        // docs/GOLDEN.md §1.5, windows #6–#8.
        Assert.Equal(0, Cell(Window(1_000_000), 16, 101, 151));   // 256 events in one cell wrap to 0
        Assert.Equal(5, Cell(Window(1_500_000), 6, 201, 21));     // 261 → 5
        byte[] w8 = Window(2_000_000);
        Assert.Equal(10, Enumerable.Range(10, 10).Max(c => Cell(w8, c, 31, 281)));   // 300 → 44 → clamp 10
        Assert.Equal(9, Enumerable.Range(0, 10).Sum(c => Cell(w8, c, 51, 101)));      // 9 events, no clamp
    }

    [Fact]
    public void Gen4_FullAndDownsampled_ByteIdentical()
    {
        Dictionary<string, NpyArray> ev = NpzFile.ReadAll(Fixtures.Events.Gen4Ds2("events.npz"));
        var events = new EventArray(ev["x"].ToArray<ushort>(), ev["y"].ToArray<ushort>(), ev["p"].ToArray<byte>(),
            ev["t"].ToArray<long>(), 1280, 720);
        long[] ends = NpyFile.Read(Fixtures.Events.Gen4Ds2("window_ends_us.npy")).ToArray<long>();
        NpyArray full = NpzFile.ReadAll(Fixtures.Events.Gen4Ds2("stacked_hist_full.npz"))["stacked_hist"];
        NpyArray ds2 = NpzFile.ReadAll(Fixtures.Events.Gen4Ds2("stacked_hist_ds2.npz"))["stacked_hist_ds2"];
        Assert.Equal(new long[] { 3, 20, 360, 640 }, ds2.Shape);
        const int fullSize = 20 * 720 * 1280;
        const int halfSize = 20 * 360 * 640;

        var fullRuns = new List<byte[]>();
        var halfRuns = new List<byte[]>();
        using var reader = new EventArrayReader(events);
        new WindowRepresentations(new StackedHistogram(720, 1280), downsample2: false, maxParallelism: 2)
            .Run(reader, ends, 50_000, (_, b) => fullRuns.Add(b.ToArray()));
        new WindowRepresentations(new StackedHistogram(720, 1280), downsample2: true, maxParallelism: 2)
            .Run(reader, ends, 50_000, (_, b) => halfRuns.Add(b.ToArray()));

        for (int i = 0; i < ends.Length; i++)
        {
            Assert.True(full.Data.AsSpan(i * fullSize, fullSize).SequenceEqual(fullRuns[i]), $"full window {i}");
            Assert.True(ds2.Data.AsSpan(i * halfSize, halfSize).SequenceEqual(halfRuns[i]), $"ds2 window {i}");
        }
    }

    [Fact]
    public void WindowRepresentations_ParallelStreaming_EqualsSequentialFromReadAll()
    {
        long[] ends = NpyFile.Read(Fixtures.Events.WindowEnds).ToArray<long>();
        var hist = new StackedHistogram(240, 304);
        EventArray all = GoldenEvents.Recording;
        using var reader = new DatStreamReader(GoldenEvents.DatPath);
        var got = new List<byte[]>();
        new WindowRepresentations(hist, maxParallelism: 3).Run(reader, ends, 50_000, (i, b) =>
        {
            Assert.Equal(got.Count, i);
            got.Add(b.ToArray());
        });
        for (int i = 0; i < ends.Length; i++)
        {
            int start = all.LowerBound(ends[i] - 50_000);
            int end = all.UpperBound(ends[i]);
            var expected = new byte[Gen1Size];
            hist.Build(all.Slice(start, end - start), expected);
            Assert.Equal(expected, got[i]);
        }
    }

    [Fact]
    public void WriteNpy_ShapeDtypeAndContent()
    {
        long[] ends = [500_000, 1_000_000, 1_000_000];
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("h.npy");
        using var reader = new DatStreamReader(GoldenEvents.DatPath);
        var runner = new WindowRepresentations(new StackedHistogram(240, 304), downsample2: true);
        ProgressReport lastProgress = default;
        runner.WriteNpy(path, reader, ends, 50_000, new SyncProgress(v => lastProgress = v));
        NpyArray a = NpyFile.Read(path);
        Assert.Equal(NpyDType.UInt8.ToDescr(), a.DType.ToDescr());
        Assert.Equal(new long[] { 3, 20, 120, 152 }, a.Shape);
        Assert.Equal(new ProgressReport("represent", 3, 3, "windows"), lastProgress);
        int one = 20 * 120 * 152;
        Assert.True(a.Data.AsSpan(one, one).SequenceEqual(a.Data.AsSpan(2 * one, one)));
        Assert.Contains(a.Data.AsSpan(0, one).ToArray(), v => v != 0);
    }

    [Property(MaxTest = 200)]
    public Property Invariants_SumAndCellsAndChannelsOfRandomEvents()
    {
        return Prop.ForAll(RandomEvents.Arbitrary(maxCount: 600, maxWidth: 6, maxHeight: 5, maxStepUs: 200), ev =>
        {
            var hist = new StackedHistogram(ev.Height, ev.Width);
            int plane = ev.Height * ev.Width;
            var output = new byte[20 * plane];
            hist.Build(ev, output);
            // Independent model: per (polarity, pixel) count, and per cell the wrapped-then-clamped count.
            var counts = new int[20 * plane];
            long t0 = ev.Count > 0 ? ev.T[0] : 0;
            long span = ev.Count > 0 ? Math.Max(ev.T[ev.Count - 1] - t0, 1) : 1;
            for (int i = 0; i < ev.Count; i++)
            {
                int b = Math.Min((int)MathF.Floor((float)(ev.T[i] - t0) / span * 10f), 9);
                counts[(ev.P[i] * 10 + b) * plane + ev.Y[i] * ev.Width + ev.X[i]]++;
            }
            bool cells = output.Select((v, i) => v == Math.Min(counts[i] % 256, 10)).All(ok => ok);
            long sum = output.Sum(v => (long)v);
            long expectedSum = counts.Sum(c => (long)Math.Min(c % 256, 10));
            bool firstInBin0 = ev.Count == 0 || output[(ev.P[0] * 10) * plane + ev.Y[0] * ev.Width + ev.X[0]] > 0;
            bool lastInBin9 = ev.Count == 0 || ev.T[0] == ev.T[ev.Count - 1]
                || output[(ev.P[ev.Count - 1] * 10 + 9) * plane + ev.Y[ev.Count - 1] * ev.Width + ev.X[ev.Count - 1]] > 0;
            return cells && sum == expectedSum && output.All(v => v <= 10) && firstInBin0 && lastInBin9;
        });
    }

    [Fact]
    public void Bin_UsesFloat32TrueDivision()
    {
        // Hand-computed: span 29, event at Δt = 3: fl32(3)/fl32(29) = 0.10344828, ×10 = 1.0344828 → bin 1.
        // The last event (Δt = span) lands in bin 10, clamped to 9; one at Δt = 0 in bin 0.
        var ev = new EventArray([0, 1, 2], [0, 0, 0], [1, 1, 0], [100, 103, 129], 3, 1);
        var output = new byte[20 * 3];
        new StackedHistogram(1, 3).Build(ev, output);
        Assert.Equal(1, output[10 * 3 + 0]);
        Assert.Equal(1, output[11 * 3 + 1]);
        Assert.Equal(1, output[9 * 3 + 2]);
        Assert.Equal(3, output.Sum(v => v));
    }

    [Fact]
    public void Build_EventOutsideSensor_ThrowsArgumentException()
    {
        var ev = new EventArray([5], [0], [0], [0], 10, 10);
        Assert.Throws<ArgumentException>(() => new StackedHistogram(4, 4).Build(ev, new byte[20 * 16]));
    }

    [Fact]
    public void Build_UnsortedTimes_ThrowsArgumentException()
    {
        var ev = new EventArray([0, 1], [0, 0], [0, 0], [10, 5], 4, 4);
        Assert.Throws<ArgumentException>(() => new StackedHistogram(4, 4).Build(ev, new byte[20 * 16]));
    }

    private sealed class SyncProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
