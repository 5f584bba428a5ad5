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

    [Fact]
    public void DerivedPeriod_20HzLabels_FramesEvery100ms_WindowsEvery50ms()
    {
        // DSEC-Det's image times: 20 Hz with a few µs of jitter.
        var rule = new LabelFrameRule { RatesHz = [20] };
        BoundingBox[] boxes = [.. Enumerable.Range(1, 20).Select(k => new BoundingBox((k * 50_000L) + ((k * 7 % 5) - 2), 0, 0, 40, 40, 0))];
        LabelFrames f = LabelFrameSelector.Select(boxes, rule);
        Assert.InRange(f.BaseDeltaUs, 99_990, 100_010); // int(2·median spacing)
        Assert.Equal(10, f.FrameTimestamps.Length); // labels 2, 4, …, 20
        Assert.All(f.FrameTimestamps.Zip(f.FrameTimestamps.Skip(1)), p => Assert.InRange(p.Second - p.First, 99_990, 100_010));
        Assert.All(f.ObjframeIdx2ReprIdx.Zip(f.ObjframeIdx2ReprIdx.Skip(1)), p => Assert.Equal(2, p.Second - p.First));
    }

    [Fact]
    public void DerivedPeriod_AnyRate_SparseLabels_OneWindowPerStep()
    {
        var rule = new LabelFrameRule();
        BoundingBox[] boxes = [.. Enumerable.Range(1, 4).Select(k => new BoundingBox(k * 1_000_000L, 0, 0, 40, 40, 0))];
        LabelFrames f = LabelFrameSelector.Select(boxes, rule);
        Assert.Equal(1_000_000, f.BaseDeltaUs); // n = max(1, round(100 ms / 1 s)) = 1
        Assert.Equal([1_000_000L, 2_000_000, 3_000_000, 4_000_000], f.FrameTimestamps);
        Assert.All(f.ReprTimestamps.Zip(f.ReprTimestamps.Skip(1)), p => Assert.Equal(50_000, p.Second - p.First));
    }

    [Fact]
    public void FixedPeriod_WithoutTheOriginalsStepCount_OneWindowPerStep()
    {
        BoundingBox[] boxes = [.. Enumerable.Range(1, 6).Select(k => new BoundingBox(k * 250_000L, 0, 0, 40, 40, 0))];
        LabelFrames quirk = LabelFrameSelector.Select(boxes, TestDatasets.Gen1.Frames);
        LabelFrames steps = LabelFrameSelector.Select(boxes, TestDatasets.Gen1.Frames with { StepsPerPeriod = null });
        Assert.Equal(quirk.FrameTimestamps, steps.FrameTimestamps);
        // The original's 2 per 250 ms (docs/DATA.md §2.3).
        Assert.Equal(125_000, quirk.ReprTimestamps[^1] - quirk.ReprTimestamps[^2]);
        Assert.Equal(50_000, steps.ReprTimestamps[^1] - steps.ReprTimestamps[^2]);
    }

    [Fact]
    public void ARateTheDatasetDoesNotList_IsNamed()
    {
        BoundingBox[] boxes = [.. Enumerable.Range(1, 20).Select(k => new BoundingBox(k * 50_000L, 0, 0, 40, 40, 0))];
        var e = Assert.Throws<InvalidOperationException>(() => LabelFrameSelector.Select(boxes, TestDatasets.Gen4.Frames, "seqB"));
        Assert.Equal("seqB: label rate 20 Hz (median period 50000 µs) is not one of the dataset's rates (30, 60 Hz)", e.Message);
    }

    [Fact]
    public void Gen4File_WithAnIdPastItsSevenClasses_IsAnErrorNamingTheFile()
    {
        BoundingBox[] boxes = [new(1, 0, 0, 40, 40, 6), new(2, 0, 0, 40, 40, 7)];
        Assert.Empty(LabelFilter.Apply(boxes[..1], TestDatasets.Gen4, isTrainSplit: false, "a_bbox.npy")); // traffic light: dropped
        var e = Assert.Throws<EventSsm.IO.DataFormatException>(() => LabelFilter.Apply(boxes, TestDatasets.Gen4, false, "a_bbox.npy"));
        Assert.StartsWith("a_bbox.npy: row 1: class_id 7 is not a class id of this dataset's label files (0..6:", e.Message, StringComparison.Ordinal);
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
