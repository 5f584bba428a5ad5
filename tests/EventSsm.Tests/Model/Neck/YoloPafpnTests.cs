using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.Model.Neck;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Neck;

public sealed class YoloPafpnTests
{
    [Fact]
    public void StateDictKeys_EqualOriginalFpnKeys()
    {
        using var fpn = new YoloPafpn(DetectorMicro.FpnOptions);
        Assert.Equal(
            DetectorMicro.Weights("mdl.fpn.").Keys.Order(StringComparer.Ordinal),
            fpn.state_dict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EvalForward_MatchesGoldenFpnOutputs()
    {
        using DisposeScope scope = NewDisposeScope();
        using YoloPafpn fpn = DetectorMicro.LoadFpn();
        fpn.eval();
        using IDisposable noGrad = no_grad();
        Tensor[] outs = fpn.call(DetectorMicro.BackboneFeatures("chunk1"));
        for (int i = 0; i < 3; i++)
        {
            Tensor expected = NpyTensor.ReadTensor(DetectorMicro.File($"chunk1_fpn_out_{i}.npy"));
            TensorAssert.Close(expected, outs[i], abs: 5e-5, what: $"fpn_out_{i}");
        }
    }

    [Theory]
    [InlineData(0.33, 1)]
    [InlineData(0.67, 2)]
    [InlineData(1.0, 3)]
    [InlineData(0.5, 2)] // round(1.5) = 2 under Python's round-half-even
    public void BottlenecksPerCsp_IsPythonRoundOfThreeTimesDepth(double depth, int expected)
    {
        var options = new FpnOptions(depth, [2, 3, 4], [8, 16, 32]);
        Assert.Equal(expected, options.BottlenecksPerCsp);
    }

    [Fact]
    public void Depthwise_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new YoloPafpn(new FpnOptions(0.33, [2, 3, 4], [8, 16, 32], Depthwise: true)));
    }
}
