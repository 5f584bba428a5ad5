using EventSsm.Detections;
using EventSsm.IO.Numpy;

namespace EventSsm.Tests.Detections;

/// <summary>The managed postprocess on its own (no tensors): the original's head outputs give its detections.</summary>
public sealed class PostprocessTests
{
    [Theory]
    [InlineData("chunk1")]
    [InlineData("chunk2_reference")]
    [InlineData("chunk2_carry")]
    public void GoldenHeadOutputs_GiveTheGoldenDetectionsRowForRow(string run)
    {
        NpyArray head = NpyFile.Read(Fixtures.DetectorMicro.File($"{run}_head_outputs.npy"));
        IReadOnlyList<Detection>[] actual = Postprocess.Run(head.ToArray<float>(), (int)head.Shape[0], (int)head.Shape[1], (int)head.Shape[2],
            EventSsm.Tests.Model.DetectorMicro.ConfidenceThreshold, EventSsm.Tests.Model.DetectorMicro.NmsThreshold);
        Model.Head.PostprocessTests.AssertMatchesGolden(Fixtures.DetectorMicro.File($"{run}_detections.npy"), actual);
    }

    [Fact]
    public void WrongShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => Postprocess.Run(new float[10], 1, 2, 5));
        Assert.Throws<ArgumentException>(() => Postprocess.Run(new float[13], 1, 2, 7));
    }
}
