using EventSsm.Datasets;
using EventSsm.IO.Numpy;
using EventSsm.Labels;

namespace EventSsm.Tests.Datasets;

public sealed class LabelFrameSelectorTests
{
    [Theory]
    [InlineData(true, "bbox_filtered_train.npy")]
    [InlineData(false, "bbox_filtered_val.npy")]
    public void Gen1Filters_MatchReference(bool train, string expectedFile)
    {
        BoundingBox[] raw = BoundingBoxFile.Read(Fixtures.Events.SynthLabels);
        BoundingBox[] expected = BoundingBoxFile.Read(Fixtures.Golden("events", expectedFile));
        BoundingBox[] got = LabelFilter.Apply(raw, TestDatasets.Gen1, train);
        Assert.Equal(expected, got);
    }

    [Fact]
    public void Gen1LabelFrames_MatchReference()
    {
        BoundingBox[] filtered = LabelFilter.Apply(BoundingBoxFile.Read(Fixtures.Events.SynthLabels), TestDatasets.Gen1, true);
        LabelFrames f = LabelFrameSelector.Select(filtered, TestDatasets.Gen1.Frames);
        AssertMatches(NpzFile.ReadAll(Fixtures.Events.TrainLabelFrames), f);
        Assert.Equal(24, f.FrameTimestamps.Length);
        Assert.Equal(47, f.ReprTimestamps.Length);
    }

    [Theory]
    [InlineData("gen4_30hz_train", true, 100050L)]
    [InlineData("gen4_60hz_val", false, 100128L)]
    public void Gen4LabelFrames_MatchReference(string name, bool train, long baseDelta)
    {
        BoundingBox[] raw = BoundingBoxFile.Read(Fixtures.Preprocessed.LabelFrames(name + "_bbox.npy"));
        BoundingBox[] filtered = LabelFilter.Apply(raw, TestDatasets.Gen4, train);
        LabelFrames f = LabelFrameSelector.Select(filtered, TestDatasets.Gen4.Frames);
        Dictionary<string, NpyArray> expected = NpzFile.ReadAll(Fixtures.Preprocessed.LabelFrames(name + "_expected.npz"));
        Assert.Equal(baseDelta, f.BaseDeltaUs);
        Assert.Equal(expected["base_delta_ts_us"].ToInt64Array()[0], f.BaseDeltaUs);
        AssertMatches(expected, f);
    }

    public static TheoryData<string, string> PreprocessedSequences => new()
    {
        { "train", "99-01-01_10-00-00_0_6000000" },
        { "train", "99-01-01_11-00-00_0_4000000" },
        { "val", "99-01-02_10-00-00_0_5000000" },
        { "val", "99-01-02_11-00-00_0_3000000" },
        { "test", "99-01-03_10-00-00_0_8000000" },
    };

    [Theory]
    [MemberData(nameof(PreprocessedSequences))]
    public void PreprocessedIndexFiles_MatchReference(string split, string seq)
    {
        BoundingBox[] raw = BoundingBoxFile.Read(Fixtures.Preprocessed.Raw(split, seq + "_bbox.npy"));
        LabelFrames f = LabelFrameSelector.Select(LabelFilter.Apply(raw, TestDatasets.Gen1, split == "train"), TestDatasets.Gen1.Frames, seq);
        string outDir = Fixtures.Preprocessed.Out(split, seq);
        string reprDir = Path.Combine(outDir, "event_representations_v2", "stacked_histogram_dt=50_nbins=10");
        Dictionary<string, NpyArray> labels = NpzFile.ReadAll(Path.Combine(outDir, "labels_v2", "labels.npz"));
        Assert.Equal(labels["objframe_idx_2_label_idx"].ToInt64Array(), f.ObjframeIdx2LabelIdx);
        Assert.Equal(BoundingBoxFile.FromNpy(labels["labels"]), f.Labels);
        Assert.Equal(NpyFile.Read(Path.Combine(outDir, "labels_v2", "timestamps_us.npy")).ToInt64Array(), f.FrameTimestamps);
        Assert.Equal(NpyFile.Read(Path.Combine(reprDir, "timestamps_us.npy")).ToInt64Array(), f.ReprTimestamps);
        Assert.Equal(NpyFile.Read(Path.Combine(reprDir, "objframe_idx_2_repr_idx.npy")).ToInt64Array(), f.ObjframeIdx2ReprIdx);
    }

    [Fact]
    public void SequenceWhoseBoxesAreAllTiny_HasNoLabels()
    {
        BoundingBox[] raw = BoundingBoxFile.Read(Fixtures.Preprocessed.Raw("test", "99-01-03_11-00-00_0_3000000_bbox.npy"));
        BoundingBox[] filtered = LabelFilter.Apply(raw, TestDatasets.Gen1, false);
        Assert.Throws<NoLabelsException>(() => LabelFrameSelector.Select(filtered, TestDatasets.Gen1.Frames, "x"));
    }

    [Fact]
    public void LabelWithin2msAfterAcceptedFrame_FailsClearlyAsTheOriginal()
    {
        BoundingBox[] boxes =
        [
            new(250_000, 0, 0, 40, 40, 0),
            new(251_000, 0, 0, 40, 40, 0),
        ];
        var e = Assert.Throws<InvalidOperationException>(() => LabelFrameSelector.Select(boxes, TestDatasets.Gen1.Frames, "seqA"));
        Assert.Contains("seqA", e.Message);
    }

    private static void AssertMatches(Dictionary<string, NpyArray> expected, LabelFrames f)
    {
        Assert.Equal(expected["frame_timestamps_us"].ToInt64Array(), f.FrameTimestamps);
        Assert.Equal(expected["ev_repr_timestamps_us"].ToInt64Array(), f.ReprTimestamps);
        Assert.Equal(expected["objframe_idx_2_repr_idx"].ToInt64Array(), f.ObjframeIdx2ReprIdx);
        Assert.Equal(expected["objframe_idx_2_label_idx"].ToInt64Array(), f.ObjframeIdx2LabelIdx);
        Assert.Equal(BoundingBoxFile.FromNpy(expected["labels"]), f.Labels);
    }
}
