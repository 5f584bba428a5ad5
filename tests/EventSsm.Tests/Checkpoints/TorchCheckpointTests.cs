using TorchSharp;
using EventSsm.Checkpoints.Pickle;
using EventSsm.Checkpoints;
using EventSsm.IO.Numpy;
using static TorchSharp.torch;

namespace EventSsm.Tests.Checkpoints;

public sealed class TorchCheckpointTests
{
    [Theory]
    [InlineData("detector_micro", "weights.pt", 412)]
    [InlineData("detector_micro", "model.ckpt", 412)]
    [InlineData("s5", "weights.pt", 11)]
    public void LoadStateDict_MatchesNpzBitForBit(string folder, string file, int count)
    {
        Dictionary<string, Tensor> loaded = TorchCheckpoint.LoadStateDict(Fixtures.Golden(folder, file));
        using NpzFile npz = NpzFile.Open(Fixtures.Golden(folder, "weights.npz"));
        Assert.Equal(count, loaded.Count);
        Assert.Equal(npz.Keys.OrderBy(k => k, StringComparer.Ordinal), loaded.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (string key in npz.Keys)
        {
            NpyArray expected = npz.Read(key);
            Tensor actual = loaded[key];
            Assert.Equal(expected.Shape, actual.shape);
            bool isCounter = key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);
            Assert.Equal(isCounter ? ScalarType.Int64 : ScalarType.Float32, actual.dtype);
            if (isCounter)
            {
                Assert.Empty(actual.shape);
                Assert.Equal(expected.ToArray<long>(), actual.data<long>().ToArray());
            }
            else
            {
                // Bit-identical: compare the raw IEEE patterns, so NaN payloads and -0 count too.
                int[] e = expected.ToArray<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
                int[] a = actual.data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
                Assert.Equal(e, a);
            }
        }
        foreach (Tensor t in loaded.Values)
        {
            t.Dispose();
        }
    }

    [Fact]
    public void LoadStateDict_StripsPrefix()
    {
        Dictionary<string, Tensor> sd = TorchCheckpoint.LoadStateDict(Fixtures.DetectorMicro.Checkpoint, "mdl.");
        Assert.Contains("backbone.stages.0.s5_block.s5.seq.Lambda", sd.Keys);
        Assert.DoesNotContain(sd.Keys, k => k.StartsWith("mdl.", StringComparison.Ordinal));
        Assert.Equal(new long[] { 16, 2 }, sd["backbone.stages.0.s5_block.s5.seq.Lambda"].shape);
    }

    [Fact]
    public void LightningCheckpoint_ExposesTrainingStateAndOmegaConf()
    {
        TorchCheckpoint ckpt = TorchCheckpoint.Read(Fixtures.DetectorMicro.Checkpoint);
        Assert.Equal(0, ckpt.Epoch);
        Assert.Equal(123, ckpt.GlobalStep);
        PickleDict root = Assert.IsType<PickleDict>(ckpt.Root);
        Assert.Equal("2.2.1", root["pytorch-lightning_version"]);
        foreach (string key in new[] { "hyper_parameters", "optimizer_states", "lr_schedulers", "callbacks", "loops" })
        {
            Assert.True(root.ContainsKey(key), key);
        }
        PickleDict hp = Assert.IsType<PickleDict>(root["hyper_parameters"]);
        PickleObject full = Assert.IsType<PickleObject>(hp["full_config"]);
        Assert.Equal(new PickleGlobal("omegaconf.dictconfig", "DictConfig"), full.Type);
        Assert.NotNull(full.State);
    }

    [Fact]
    public void PlainStateDict_HasNoTrainingState()
    {
        TorchCheckpoint ckpt = TorchCheckpoint.Read(Fixtures.S5.Weights);
        Assert.Null(ckpt.Epoch);
        Assert.Null(ckpt.GlobalStep);
    }
}
