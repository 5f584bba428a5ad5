using EventSsm.Datasets;
using EventSsm.IO.Numpy;
using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Tests.Datasets;

public sealed class PreprocessedDatasetTests
{
    private static string Root => Fixtures.Preprocessed.Out();

    [Theory]
    [InlineData("train", new[] { 18, 7 }, new[] { 48, 29 })]
    [InlineData("val", new[] { 19, 1 }, new[] { 41, 8 })]
    [InlineData("test", new[] { 19 }, new[] { 56 })]
    public void LoadsGoldenSplits(string split, int[] frames, int[] reprs)
    {
        PreprocessedDataset d = PreprocessedDataset.Load(Root, split, TestDatasets.Gen1);
        Assert.Equal(frames, d.Sequences.Select(s => s.FrameTimestamps.Length));
        Assert.Equal(reprs, d.Sequences.Select(s => s.ReprCount));
        foreach (PreprocessedSequence s in d.Sequences)
        {
            Assert.EndsWith("event_representations.h5", s.RepresentationFile);
            for (int k = 0; k < s.FrameTimestamps.Length; k++)
            {
                int r = (int)s.ObjframeIdx2ReprIdx[k];
                Assert.Equal(k, s.FrameAtRepr(r));
                Assert.Equal(s.FrameTimestamps[k], s.ReprTimestamps[r]);
                Assert.All(s.FrameBoxes(k).ToArray(), b => Assert.Equal(s.FrameTimestamps[k], b.T));
            }
            Assert.Equal(s.Labels.Length, Enumerable.Range(0, s.FrameTimestamps.Length).Sum(k => s.FrameBoxes(k).Length));
        }
    }

    [Fact]
    public void MissingIndexFile_NamesTheSequenceAndTheFile()
    {
        using TempDir tmp = Fixtures.TempDir();
        CopyDir(Path.Combine(Root, "val", "99-01-02_11-00-00_0_3000000"), Path.Combine(tmp.Path, "val", "seq"));
        string map = Path.Combine(tmp.Path, "val", "seq", "event_representations_v2", PreprocessedSequence.DefaultRepresentationName, "objframe_idx_2_repr_idx.npy");
        File.Delete(map);
        var e = Assert.Throws<FileNotFoundException>(() => PreprocessedDataset.Load(tmp.Path, "val", TestDatasets.Gen1));
        Assert.Contains("objframe_idx_2_repr_idx.npy", e.Message);
        Assert.Contains("seq", e.Message);
    }

    [Fact]
    public void InconsistentIndex_IsADataFormatError()
    {
        using TempDir tmp = Fixtures.TempDir();
        CopyDir(Path.Combine(Root, "val", "99-01-02_11-00-00_0_3000000"), Path.Combine(tmp.Path, "val", "seq"));
        string map = Path.Combine(tmp.Path, "val", "seq", "event_representations_v2", PreprocessedSequence.DefaultRepresentationName, "objframe_idx_2_repr_idx.npy");
        NpyFile.Write(map, NpyArray.FromArray(new long[] { 99 }));
        var e = Assert.Throws<DataFormatException>(() => PreprocessedDataset.Load(tmp.Path, "val", TestDatasets.Gen1));
        Assert.Contains("objframe_idx_2_repr_idx", e.Message);
    }

    [Fact]
    public void MissingSplit_IsReported()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => PreprocessedDataset.Load(Root, "nosuchsplit", TestDatasets.Gen1));
        Assert.Contains("nosuchsplit", e.Message);
    }

    private static void CopyDir(string from, string to)
    {
        foreach (string f in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string dst = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            File.Copy(f, dst);
        }
    }
}
