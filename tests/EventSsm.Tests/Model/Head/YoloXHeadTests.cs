using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Head;

public sealed class YoloXHeadTests
{
    [Fact]
    public void StateDictKeys_EqualOriginalHeadKeys()
    {
        using var head = new YoloXHead(DetectorMicro.HeadOptions);
        Assert.Equal(
            DetectorMicro.Weights("mdl.yolox_head.").Keys.Order(StringComparer.Ordinal),
            head.state_dict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void HiddenWidth_FollowsAutomaticScaling()
    {
        Assert.Equal(DetectorMicro.Dims.GetProperty("head_hidden").GetInt64(), DetectorMicro.HeadOptions.HiddenDim);
    }

    [Fact]
    public void InitializeBiases_SetsFocalPrior()
    {
        using var head = new YoloXHead(DetectorMicro.HeadOptions);
        float expected = (float)-Math.Log(0.99 / 0.01);
        foreach ((string name, Tensor p) in head.named_parameters())
        {
            if ((name.StartsWith("cls_preds.", StringComparison.Ordinal) || name.StartsWith("obj_preds.", StringComparison.Ordinal)) && name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Assert.All(p.data<float>().ToArray(), v => Assert.Equal(expected, v));
            }
        }
    }

    [Theory]
    [InlineData("chunk1")]
    [InlineData("chunk2_reference")]
    [InlineData("chunk2_carry")]
    public void EvalForward_MatchesGoldenHeadOutputs(string run)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor decoded = EvalHeadOutputs(run);
        Tensor expected = NpyTensor.ReadTensor(DetectorMicro.File($"{run}_head_outputs.npy"));
        TensorAssert.Close(expected, decoded, abs: 2e-4, rel: 2e-4, what: $"{run} head outputs");
    }

    [Fact]
    public void AnchorGrid_IsLevelMajorThenRowMajor()
    {
        using DisposeScope scope = NewDisposeScope();
        AnchorGrid g = AnchorGrid.Create([(2, 3), (1, 2)], [8, 16]);
        Assert.Equal(new float[] { 0, 1, 2, 0, 1, 2, 0, 1 }, g.XShifts.data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 1, 1, 1, 0, 0 }, g.YShifts.data<float>().ToArray());
        Assert.Equal(new float[] { 8, 8, 8, 8, 8, 8, 16, 16 }, g.Strides.data<float>().ToArray());
    }

    /// <summary>FPN + head in eval mode on a golden run's backbone features; returns the decoded outputs.</summary>
    internal static Tensor EvalHeadOutputs(string run)
    {
        using YoloPafpn fpn = DetectorMicro.LoadFpn();
        using YoloXHead head = DetectorMicro.LoadHead();
        fpn.eval();
        head.eval();
        using IDisposable noGrad = no_grad();
        return head.call(fpn.call(DetectorMicro.BackboneFeatures(run))).Decoded;
    }
}
