using EventSsm.Datasets;
using EventSsm.Labels;
using static TorchSharp.torch;

namespace EventSsm.Tests.Datasets;

public sealed class BatchReaderTests
{
    /// <summary>Frames whose every byte is (index % 10) + 1, so the source step is visible in the tensor.</summary>
    private sealed class IndexFrames(int count, int c, int h, int w) : IRepresentationReader
    {
        public int Count => count;

        public int Channels => c;

        public int Height => h;

        public int Width => w;

        public void Read(int index, Span<byte> destination)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
            destination[..(c * h * w)].Fill((byte)((index % 10) + 1));
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public void StreamBatch_PadsRightBottom_MapsLabels_AndFillsFillerSlots()
    {
        PreprocessedDataset val = PreprocessedDataset.Load(Fixtures.Preprocessed.Out(), "val", TestDatasets.Gen1);
        // Use a small fake frame size; the label bookkeeping comes from the real index files.
        using var reader = new BatchReader(val.Sequences, s => new IndexFrames(s.ReprCount, 2, 3, 4), 2, 3, 4, 5, 6);
        PreprocessedSequence s1 = val.Sequences[1]; // 8 reprs, single frame at repr 7
        StreamChunk chunk = SamplingPlans.EvaluationStream(1, s1.ObjframeIdx2ReprIdx[0], s1.ReprCount, 10)[0];
        using SampleBatch batch = reader.Read([chunk, null]);
        Assert.Equal(new long[] { 10, 2, 2, 5, 6 }, batch.Counts.shape);
        Assert.Equal(new[] { true, false }, batch.IsFirstSample);
        Assert.Equal(new[] { 1, -1 }, batch.SlotSequence);
        for (int t = 0; t < 10; t++)
        {
            Assert.Equal(t >= 8, batch.IsPadded[t, 0]);
            Assert.True(batch.IsPadded[t, 1]);
            float expected = t < 8 ? (t % 10) + 1 : 0;
            Assert.Equal(expected, batch.InputOn()[t, 0, 1, 2, 3].item<float>());
            Assert.Equal(0f, batch.InputOn()[t, 0, 1, 3, 3].item<float>()); // bottom padding
            Assert.Equal(0f, batch.InputOn()[t, 0, 1, 2, 5].item<float>()); // right padding
            Assert.Equal(0f, batch.InputOn()[t, 1].abs().sum().item<float>());
            Assert.Equal(t == 7, batch.Labels[t, 0] is not null);
        }
        Assert.Equal(s1.FrameTimestamps[0], batch.LabelTimes[7, 0]);
        Assert.Equal(3, batch.Labels[7, 0]!.Length);
    }

    [Fact]
    public void FrameSizeMismatch_IsReported()
    {
        PreprocessedDataset val = PreprocessedDataset.Load(Fixtures.Preprocessed.Out(), "val", TestDatasets.Gen1);
        using var reader = new BatchReader(val.Sequences, s => new IndexFrames(s.ReprCount, 2, 3, 4), 20, 240, 304, 256, 320);
        var e = Assert.Throws<InvalidOperationException>(() => reader.Read([BatchReader.RandomAccessChunk(0, 20, 5)]));
        Assert.Contains("event_representations.h5", e.Message);
    }
}
