using EventSsm.Detections;
using EventSsm.IO.Numpy;
using EventSsm.Model;
using TorchSharp;
using EventSsm.Model.Head;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Head;

public sealed class PostprocessTests
{
    [Theory]
    [InlineData("chunk1")]
    [InlineData("chunk2_reference")]
    [InlineData("chunk2_carry")]
    public void Detections_MatchGoldenRowForRow(string run)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor decoded = YoloXHeadTests.EvalHeadOutputs(run);
        IReadOnlyList<Detection>[] actual = TensorPostprocess.Run(decoded, DetectorMicro.ConfidenceThreshold, DetectorMicro.NmsThreshold);
        AssertMatchesGolden(DetectorMicro.File($"{run}_detections.npy"), actual);
    }

    [Fact]
    public void Detections_FromGoldenHeadOutputs_MatchGoldenRowForRow()
    {
        // Isolates postprocess from the network: the reference's own head outputs must give its detections.
        using DisposeScope scope = NewDisposeScope();
        Tensor decoded = NpyTensor.ReadTensor(DetectorMicro.File("chunk1_head_outputs.npy"));
        IReadOnlyList<Detection>[] actual = TensorPostprocess.Run(decoded, DetectorMicro.ConfidenceThreshold, DetectorMicro.NmsThreshold);
        AssertMatchesGolden(DetectorMicro.File("chunk1_detections.npy"), actual);
    }

    [Fact]
    public void Run_WrongShape_Throws()
    {
        using Tensor bad = zeros(2, 10);
        Assert.Throws<ArgumentException>(() => TensorPostprocess.Run(bad));
    }

    internal static void AssertMatchesGolden(string path, IReadOnlyList<Detection>[] actual)
    {
        NpyArray golden = NpyFile.Read(path);
        float[] g = golden.ToArray<float>();
        int rows = (int)golden.Shape[0];
        Assert.Equal(rows, actual.Sum(d => d.Count));
        int r = 0;
        for (int f = 0; f < actual.Length; f++)
        {
            foreach (Detection d in actual[f])
            {
                ReadOnlySpan<float> e = g.AsSpan(r * 8, 8);
                Assert.Equal(e[0], f);
                float[] coords = [d.X1, d.Y1, d.X2, d.Y2];
                for (int c = 0; c < 4; c++)
                {
                    Assert.True(Math.Abs(coords[c] - e[1 + c]) <= 2e-4 * (1 + Math.Abs(e[1 + c])), $"row {r} coord {c}: {coords[c]} vs {e[1 + c]}");
                }
                Assert.True(Math.Abs(d.ObjConf - e[5]) <= 1e-5, $"row {r} obj_conf {d.ObjConf} vs {e[5]}");
                Assert.True(Math.Abs(d.ClassConf - e[6]) <= 1e-5, $"row {r} class_conf {d.ClassConf} vs {e[6]}");
                Assert.Equal((int)e[7], d.ClassId);
                r++;
            }
        }
    }
}
