using EventSsm.Datasets;
using EventSsm.Labels;

namespace EventSsm.Tests.Datasets;

public sealed class SamplingPlansTests
{
    [Fact]
    public void EvaluationStream_WarmsUpLMinus1StepsBeforeFirstLabel_AndPadsTheLastChunk()
    {
        List<StreamChunk> s = SamplingPlans.EvaluationStream(0, firstLabelReprIdx: 30, reprCount: 50, sequenceLength: 21);
        Assert.Equal(new[] { 10, 31 }, s.Select(c => c.Start));
        Assert.True(s[0].IsFirstSample);
        Assert.False(s[1].IsFirstSample);
        Assert.Equal(0, s[0].PaddedSteps);
        Assert.Equal(31 + 21 - 50, s[1].PaddedSteps);

        List<StreamChunk> early = SamplingPlans.EvaluationStream(0, firstLabelReprIdx: 7, reprCount: 8, sequenceLength: 21);
        Assert.Single(early);
        Assert.Equal(0, early[0].Start);
        Assert.Equal(13, early[0].PaddedSteps);
    }

    [Fact]
    public void TrainingPieces_SplitWhereTheGapExceedsL()
    {
        long[] labelled = [3, 5, 9, 40, 41, 100];
        List<List<StreamChunk>> pieces = SamplingPlans.TrainingPieces(2, labelled, sequenceLength: 5);
        // Pieces: [3,5,9] -> [0,10); [40,41] -> [36,42); [100] -> [96,101).
        Assert.Equal(3, pieces.Count);
        Assert.Equal(new[] { 0, 5 }, pieces[0].Select(c => c.Start));
        Assert.Equal(new[] { 36, 41 }, pieces[1].Select(c => c.Start));
        Assert.Equal(4, pieces[1][1].PaddedSteps);
        Assert.Equal(new[] { 96 }, pieces[2].Select(c => c.Start));
        Assert.All(pieces, p => Assert.True(p[0].IsFirstSample && p.Skip(1).All(c => !c.IsFirstSample)));
    }

    [Fact]
    public void EvaluationBatches_ZigZagByLength_AndFillFinishedSlots()
    {
        // Stream lengths 1, 4, 2, 3 chunks; sorted desc: s1(4), s3(3), s2(2), s0(1); 2 slots zig-zag: slot0 = s1, s0; slot1 = s3, s2.
        int[] lengths = [1, 4, 2, 3];
        List<List<StreamChunk>> streams = lengths
            .Select((n, s) => Enumerable.Range(0, n).Select(k => new StreamChunk(s, k * 3, 3, 0, k == 0)).ToList())
            .ToList();
        List<StreamChunk?[]> batches = SamplingPlans.EvaluationBatches(streams, batchSize: 2);
        Assert.Equal(5, batches.Count);
        Assert.Equal(new[] { 1, 1, 1, 1, 0 }, batches.Select(b => b[0]!.Sequence));
        Assert.Equal(new int?[] { 3, 3, 3, 2, 2 }, batches.Select(b => b[1]?.Sequence));
        Assert.True(batches[4][0]!.IsFirstSample);
        Assert.Equal(streams.Sum(s => s.Count), batches.Sum(b => b.Count(c => c is not null)));
    }

    [Theory]
    [InlineData(8, 4, 4)]
    [InlineData(12, 6, 6)]
    [InlineData(3, 1, 2)]
    [InlineData(2, 1, 1)]
    [InlineData(1, 1, 0)]
    public void MixedSplit_AsTheOriginal(int batch, int stream, int random)
    {
        Assert.Equal((stream, random), SamplingPlans.MixedSplit(batch));
    }

    [Fact]
    public void RandomAccess_OnlyFramesWithLMinus1StepsOfHistory()
    {
        List<(int, int)> r = SamplingPlans.RandomAccess([[3, 5, 9], [0, 20]], sequenceLength: 6);
        Assert.Equal(new[] { (0, 5), (0, 9), (1, 20) }, r);
    }

    [Fact]
    public void ObjectLabels_Gen4_ClampThenHalveInFloat32()
    {
        BoundingBox[] boxes =
        [
            new(1_000_000, 1270.5f, 700f, 30f, 40f, 2),   // right/bottom edge: clamp to 1279/719 first
            new(1_000_000, 10.25f, 20.75f, 100.5f, 50.25f, 0, 0.5f),
        ];
        ObjectLabel[] l = ObjectLabel.FromBoxes(boxes, TestDatasets.Gen4.Sensor, downsampleBy2: true);
        Assert.Equal(2, l.Length);
        Assert.Equal(635.25f, l[0].X);
        Assert.Equal(639f - 635.25f, l[0].W);
        Assert.Equal(359f - 350f, l[0].H);
        Assert.Equal(5.125f, l[1].X);
        Assert.Equal(((10.25f + 100.5f) * 0.5f) - 5.125f, l[1].W);
        Assert.Equal(0.5f, l[1].ClassConfidence);
    }

    [Fact]
    public void ObjectLabel_FlipUsesWidthMinusOne()
    {
        var l = new ObjectLabel(0, 10, 5, 20, 8, 1, 1);
        Assert.Equal(304 - 1 - 10 - 20, l.FlipHorizontal(304).X);
        Assert.Equal(l, l.FlipHorizontal(304).FlipHorizontal(304));
    }
}
