using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.Tensors;
using EventSsm.Tests.Model;
using static TorchSharp.torch;
using EventSsm.Tests.Cli;

namespace EventSsm.Tests.Workflows.Parity;

/// <summary>`eventssm forward` end to end against the golden micro detector (tolerances: golden README).</summary>
public sealed class ForwardCommandTests
{
    [Fact]
    public void Forward_Chunk1ThenChunk2Carry_MatchesEveryGoldenArray()
    {
        using TempDir tmp = Fixtures.TempDir();
        string[] overrides = [.. YoloXDetectorTests.MicroOverrides.Where(o => !o.StartsWith("model.postprocess", StringComparison.Ordinal))];
        string out1 = tmp.File("chunk1.npz");
        CliRunner.Run(["forward", "--checkpoint", DetectorMicro.File("model.ckpt"), .. overrides,
            "--input", DetectorMicro.File("x_chunk1.npy"), "--out", out1]);
        AssertMatches(out1, "chunk1");

        string out2 = tmp.File("chunk2.npz");
        CliRunner.Run(["forward", "--checkpoint", DetectorMicro.File("model.ckpt"), .. overrides,
            "--input", DetectorMicro.File("x_chunk2.npy"), "--out", out2, "--state-mode", "carry", "--state-in", out1]);
        AssertMatches(out2, "chunk2_carry");
    }

    [Fact]
    public void Forward_CheckpointWithoutConfigAndNoOverrides_FailsWithOneLine()
    {
        using TempDir tmp = Fixtures.TempDir();
        CliRunner.BadInput(["forward", "--checkpoint", DetectorMicro.File("model.ckpt"),
            "--input", DetectorMicro.File("x_chunk1.npy"), "--out", tmp.File("o.npz")]);
        Assert.False(File.Exists(tmp.File("o.npz")));
    }

    private static void AssertMatches(string npz, string run)
    {
        using DisposeScope scope = NewDisposeScope();
        Dictionary<string, Tensor> actual = NpyTensor.ReadNpzTensors(npz);
        for (int i = 1; i <= 4; i++)
        {
            TensorAssert.Close(NpyTensor.ReadTensor(DetectorMicro.File($"{run}_backbone_stage{i}.npy")), actual[$"stage{i}"], 2e-5, 0, $"stage{i}");
            TensorAssert.Close(NpyTensor.ReadTensor(DetectorMicro.File($"{run}_state_stage{i}.npy")), actual[$"state{i}"], 5e-6, 0, $"state{i}");
        }
        TensorAssert.Close(NpyTensor.ReadTensor(DetectorMicro.File($"{run}_head_outputs.npy")), actual["head"], 2e-4, 2e-4, "head");

        float[] golden = NpyFile.Read(DetectorMicro.File($"{run}_detections.npy")).ToArray<float>();
        float[] rows = NpzFile.ReadAll(npz)["detections"].ToArray<float>();
        Assert.Equal(golden.Length, rows.Length);
        for (int r = 0; r < golden.Length / 8; r++)
        {
            Assert.Equal(golden[r * 8], rows[r * 8]);
            Assert.Equal(golden[r * 8 + 7], rows[r * 8 + 7]);
            for (int c = 1; c <= 4; c++)
            {
                Assert.True(Math.Abs(golden[r * 8 + c] - rows[r * 8 + c]) <= 2e-4 * (1 + Math.Abs(golden[r * 8 + c])), $"{run} row {r} col {c}");
            }
            for (int c = 5; c <= 6; c++)
            {
                Assert.True(Math.Abs(golden[r * 8 + c] - rows[r * 8 + c]) <= 1e-5, $"{run} row {r} col {c}");
            }
        }
    }
}
