using EventSsm.IO;
using EventSsm.IO.Hdf5;
using EventSsm.IO.Numpy;
using EventSsm.Representations;

namespace EventSsm.Tests.Representations;

public sealed class RepresentationH5Tests
{
    public static TheoryData<string> GoldenFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(Fixtures.Preprocessed.Out(), "event_representations.h5", SearchOption.AllDirectories).Order())
        {
            data.Add(Path.GetRelativePath(Fixtures.Golden(), f));
        }
        return data;
    }

    // val/…_3000000: 8 frames, the smallest golden file.
    private static string SmallestGolden() => Fixtures.Preprocessed.Out("val", "99-01-02_11-00-00_0_3000000",
        "event_representations_v2", "stacked_histogram_dt=50_nbins=10", "event_representations.h5");

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void GoldenData_DecodesWithExpectedShape_AndRandomAccessEqualsSequential(string relative)
    {
        string path = Fixtures.Golden(relative);
        long n = NpyFile.Read(Path.Combine(Path.GetDirectoryName(path)!, "timestamps_us.npy")).Count;
        using RepresentationH5Reader reader = RepresentationH5Reader.Open(path);
        Assert.Equal((n, 20, 240, 304), (reader.Count, reader.Channels, reader.Height, reader.Width));

        byte[] all = new byte[(long)reader.Count * reader.FrameBytes];
        reader.ReadFrames(0, reader.Count, all);
        Assert.True(all.Max() <= 10, "stacked histogram counts are clamped to 10");
        Assert.Contains(all, v => v > 0);
        for (int i = reader.Count - 1; i >= 0; i -= 3)
        {
            Assert.True(reader.ReadFrame(i).AsSpan().SequenceEqual(all.AsSpan(i * reader.FrameBytes, reader.FrameBytes)), $"frame {i}");
        }
    }

    [Fact]
    public void GoldenData_InspectorShowsRvtLayout()
    {
        string path = SmallestGolden();
        string text = string.Join("\n", Hdf5Inspector.Describe(path));
        Assert.Contains("/data: uint8 shape (", text);
        Assert.Contains("maxshape (None, 20, 240, 304)", text);
        Assert.Contains("layout: chunked (1, 20, 240, 304)", text);
        Assert.Contains("filter: 32001 blosc (optional) cd_values (2, 2, 1, 1459200, 1, 1, 5)", text);
    }

    [Fact]
    public void Writer_RoundTrips_WithRvtChunksAndFilter()
    {
        const int n = 4;
        const int c = 20, h = 240, w = 304;
        var rng = new Random(11);
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++)
        {
            frames[i] = new byte[c * h * w];
            for (int k = 0; k < frames[i].Length; k += 1 + rng.Next(9))
            {
                frames[i][k] = (byte)rng.Next(11);
            }
        }
        rng.NextBytes(frames[2]); // incompressible: stored as a memcpyed Blosc frame
        using TempDir tmp = Fixtures.TempDir();
        string path = tmp.File("event_representations.h5");
        RepresentationH5Writer.Write(path, frames, c, h, w);

        using (RepresentationH5Reader reader = RepresentationH5Reader.Open(path))
        {
            Assert.Equal((n, c, h, w), (reader.Count, reader.Channels, reader.Height, reader.Width));
            for (int i = n - 1; i >= 0; i--)
            {
                Assert.Equal(frames[i], reader.ReadFrame(i));
            }
        }
        string text = string.Join("\n", Hdf5Inspector.Describe(path));
        Assert.Contains("/data: uint8 shape (4, 20, 240, 304)", text);
        Assert.Contains("layout: chunked (1, 20, 240, 304)", text);
        Assert.Contains("cd_values (2, 2, 1, 1459200, 1, 1, 5)", text);
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void Open_TruncatedOrCorruptFile_ThrowsNamingTheFile()
    {
        string golden = SmallestGolden();
        byte[] bytes = File.ReadAllBytes(golden);
        using TempDir tmp = Fixtures.TempDir();
        foreach (int len in new[] { 10, 2000, bytes.Length / 2, bytes.Length - 10 })
        {
            string path = tmp.File($"cut{len}.h5");
            File.WriteAllBytes(path, bytes.AsSpan(0, len).ToArray());
            DataFormatException ex = Assert.Throws<DataFormatException>(() =>
            {
                using RepresentationH5Reader r = RepresentationH5Reader.Open(path);
                r.ReadFrames(0, r.Count, new byte[(long)r.Count * r.FrameBytes]);
            });
            Assert.Contains(path, ex.Message);
        }
    }

    [Fact]
    public void ReadFrames_MutatedChunks_OnlyEverThrowDataFormatException()
    {
        string golden = SmallestGolden();
        byte[] bytes = File.ReadAllBytes(golden);
        var frames = new Random(8);
        FileFuzz.Run("fuzz.h5", cases: 300, seed: 4, rng =>
        {
            byte[] f = (byte[])bytes.Clone();
            for (int e = 1 + rng.Next(3); e > 0; e--)
            {
                f[rng.Next(f.Length)] = (byte)rng.Next(256);
            }
            return f;
        }, path =>
        {
            using RepresentationH5Reader r = RepresentationH5Reader.Open(path);
            if (r.Count > 0)
            {
                r.ReadFrame(frames.Next(8) % r.Count);
            }
        });
    }
}
