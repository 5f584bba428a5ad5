using EventSsm.Config;
using EventSsm.Export;
using EventSsm.Tensors;
using EventSsm.Model;
using EventSsm.Onnx;
using EventSsm.Tests.Model;
using static TorchSharp.torch;

namespace EventSsm.Tests.Export;

/// <summary>
/// The exported golden micro detector in ONNX Runtime, window by window with the state carried, against the original's
/// golden outputs (tests/fixtures/golden/detector_micro): within a chunk a carried stream from zero state equals the
/// chunked evaluation, and chunk 2 continued from chunk 1's state equals the golden <c>carry</c> run.
/// </summary>
public sealed class OnnxExportGoldenTests
{
    [Fact]
    public void StreamGraph_FrameByFrame_ReproducesTheGoldenHeadOutputsAndCarryStates()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = OnnxExporterTests.ExportMicro(tmp, "micro.onnx", new OnnxExportOptions());
        using OnnxDetector onnx = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2));
        foreach (string run in new[] { "chunk1", "chunk2_carry" })
        {
            string input = run == "chunk1" ? "x_chunk1.npy" : "x_chunk2.npy";
            float[] x = ToFloats(NpyTensor.ReadTensor(DetectorMicro.File(input)));   // (L, B, C, H, W)
            long l = 3, b = 2, frame = x.Length / (l * b);
            float[] golden = ToFloats(NpyTensor.ReadTensor(DetectorMicro.File($"{run}_head_outputs.npy")));   // (L·B, A, 7)
            long perT = golden.Length / l;
            for (int t = 0; t < l; t++)
            {
                float[] head = onnx.Run(x[(int)(t * b * frame)..(int)((t + 1) * b * frame)], [b, 20, 128, 128]);
                FloatAssert.Close(golden.AsSpan((int)(t * perT), (int)perT), head, 2e-4, 2e-4, $"{run} t={t} head");
            }
            float[][] states = onnx.States!;
            for (int i = 0; i < 4; i++)
            {
                // Golden (B, P, h, w, 2) vs ours (B, 2P, h, w) = [Re | Im] along channels.
                using Tensor g = NpyTensor.ReadTensor(DetectorMicro.File($"{run}_state_stage{i + 1}.npy"));
                float[] expected = ToFloats(g.permute(0, 4, 1, 2, 3).reshape(g.shape[0], 2 * g.shape[1], g.shape[2], g.shape[3]));
                FloatAssert.Close(expected, states[i], 1e-4, 1e-4, $"{run} state {i + 1}");
            }
        }
    }

    internal static float[] ToFloats(Tensor t)
    {
        using Tensor f = t.to(float32).contiguous();
        return f.data<float>().ToArray();
    }
}
