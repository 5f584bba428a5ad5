using PureHDF;
using EventSsm.Events;
using EventSsm.IO.Hdf5;
using EventSsm.IO;

namespace EventSsm.Tests.Events;

public sealed class RawEventH5ReaderTests
{
    private static string GoldenH5 => Fixtures.Events.SynthH5;

    private static string PreprocessedRaw(string split, string name) =>
        Fixtures.Preprocessed.Raw(split, name + "_td.dat.h5");

    [Fact]
    public void ReadAll_GoldenH5_EqualsGoldenDat()
    {
        EventArray dat = DatFile.ReadAll(Fixtures.Events.SynthDat);
        EventArray h5 = RawEventH5Reader.ReadAll(GoldenH5);
        Assert.Equal(304_659, h5.Count);
        Assert.Equal((dat.Width, dat.Height), (h5.Width, h5.Height));
        AssertSameEvents(dat, h5);
    }

    [Fact]
    public void ReadAll_Int8PolarityAndSizeDatasets_AreHonoured()
    {
        // docs/GOLDEN.md §2.1: val/…_5000000 has p = −1/+1 as int8 and events/height, events/width present.
        string path = PreprocessedRaw("val", "99-01-02_10-00-00_0_5000000");
        EventArray e = RawEventH5Reader.ReadAll(path, SensorSize.Gen4);
        Assert.Equal(151_148, e.Count);
        Assert.Equal((304, 240), (e.Width, e.Height));
        sbyte[] rawP = ReadRaw<sbyte>(path, "p");
        Assert.Contains(rawP, v => v == -1);
        Assert.Equal(rawP.Select(v => (byte)Math.Max((int)v, 0)), e.P.AsSpan(0, e.Count).ToArray());
    }

    [Fact]
    public void ReadAll_NoSizeDatasets_UsesTheDefaultSize()
    {
        EventArray e = RawEventH5Reader.ReadAll(PreprocessedRaw("test", "17-04-06_09-57-37_6344500000_6404500000"), SensorSize.Gen4);
        Assert.Equal((1280, 720), (e.Width, e.Height));
    }

    [Fact]
    public void ReadAll_DecreasingTimestamps_AreCorrectedByRunningMax()
    {
        string path = PreprocessedRaw("train", "99-01-01_10-00-00_0_6000000");
        long[] raw = ReadRaw<long>(path, "t");
        Assert.Equal(24, raw.Zip(raw.Skip(1)).Count(p => p.Second < p.First));
        long[] expected = new long[raw.Length];
        long last = raw[0];
        for (int i = 0; i < raw.Length; i++)
        {
            last = Math.Max(last, raw[i]);
            expected[i] = last;
        }
        EventArray e = RawEventH5Reader.ReadAll(path);
        Assert.Equal(159_262, e.Count);
        Assert.Equal(expected, e.T.AsSpan(0, e.Count).ToArray());
    }

    [Theory]
    [InlineData("events")]
    [InlineData("train")]
    public void RangesAndTimeWindows_MatchTheFullRead(string which)
    {
        string path = which == "events" ? GoldenH5 : PreprocessedRaw("train", "99-01-01_10-00-00_0_6000000");
        EventArray all = RawEventH5Reader.ReadAll(path);
        using RawEventH5Reader reader = RawEventH5Reader.Open(path);
        var rng = new Random(7);
        for (int k = 0; k < 20; k++)
        {
            int start = k == 0 ? RawEventH5Reader.IndexBlockSize - 3 : rng.Next(all.Count);
            int count = Math.Min(rng.Next(1, 90_000), all.Count - start);
            AssertSameEvents(all.Slice(start, count), reader.ReadRange(start, count));

            long t = all.T[rng.Next(all.Count)] + rng.Next(-2, 3);
            Assert.Equal(all.LowerBound(t), reader.LowerBound(t));
            Assert.Equal(all.UpperBound(t), reader.UpperBound(t));
            long t2 = t + rng.Next(0, 200_000);
            EventArray window = reader.ReadTimeWindow(t, t2);
            int a = all.LowerBound(t);
            AssertSameEvents(all.Slice(a, all.UpperBound(t2) - a), window);
        }
        Assert.Equal(0, reader.LowerBound(long.MinValue));
        Assert.Equal(all.Count, reader.UpperBound(long.MaxValue));
    }

    [Fact]
    public void Open_TruncatedFile_ThrowsNamingTheFile()
    {
        using TempDir tmp = Fixtures.TempDir();
        byte[] bytes = File.ReadAllBytes(GoldenH5);
        foreach (int len in new[] { 0, 100, bytes.Length / 2, bytes.Length - 1000 })
        {
            string path = tmp.File($"cut{len}.h5");
            File.WriteAllBytes(path, bytes.AsSpan(0, len).ToArray());
            DataFormatException ex = Assert.Throws<DataFormatException>(() => RawEventH5Reader.ReadAll(path));
            Assert.Contains(path, ex.Message);
        }
    }

    [Fact]
    public void Open_FileWithoutEventsGroup_Throws()
    {
        string path = Fixtures.Preprocessed.Out("val", "99-01-02_11-00-00_0_3000000",
            "event_representations_v2", "stacked_histogram_dt=50_nbins=10", "event_representations.h5");
        DataFormatException ex = Assert.Throws<DataFormatException>(() => RawEventH5Reader.ReadAll(path));
        Assert.Contains("'events'", ex.Message);
    }

    [Fact]
    public void ReadAll_MutatedFile_OnlyEverThrowsDataFormatException()
    {
        // A small file (2,850 events); each case changes 1–4 bytes, half of them in the first 4 kB of metadata.
        string src = PreprocessedRaw("test", "17-04-06_09-57-37_6344500000_6404500000");
        byte[] bytes = File.ReadAllBytes(src);
        FileFuzz.Run("fuzz.h5", cases: 1500, seed: 99, rng =>
        {
            byte[] f = (byte[])bytes.Clone();
            int edits = 1 + rng.Next(4);
            for (int e = 0; e < edits; e++)
            {
                int at = rng.Next(2) == 0 ? rng.Next(Math.Min(4096, f.Length)) : rng.Next(f.Length);
                f[at] = (byte)rng.Next(256);
            }
            return f;
        }, path => RawEventH5Reader.ReadAll(path));
    }

    private static void AssertSameEvents(EventArray expected, EventArray actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.X.AsSpan(0, expected.Count).ToArray(), actual.X.AsSpan(0, actual.Count).ToArray());
        Assert.Equal(expected.Y.AsSpan(0, expected.Count).ToArray(), actual.Y.AsSpan(0, actual.Count).ToArray());
        Assert.Equal(expected.P.AsSpan(0, expected.Count).ToArray(), actual.P.AsSpan(0, actual.Count).ToArray());
        Assert.Equal(expected.T.AsSpan(0, expected.Count).ToArray(), actual.T.AsSpan(0, actual.Count).ToArray());
    }

    private static T[] ReadRaw<T>(string path, string name) where T : unmanaged
    {
        BloscH5Filter.EnsureRegistered();
        using var file = H5File.OpenRead(path);
        return file.Group("events").Dataset(name).Read<T[]>();
    }
}
