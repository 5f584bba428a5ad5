using TorchSharp;
using EventSsm.Model;
using EventSsm.Model.Backbone;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>
/// The patch downsampling's inference path with its cached channels-last weight (docs/MODEL.md §11.1).
/// </summary>
public sealed class ConvDownsamplingCf2ClTests
{
    [Theory]
    [InlineData(4, 5, 16)]  // the stem: 7×7, stride 4
    [InlineData(2, 16, 32)] // a later stage: 3×3, stride 2
    public void Inference_EqualsTheAutogradPath_BitForBit(int factor, int dimIn, int dimOut)
    {
        using DisposeScope scope = NewDisposeScope();
        using ConvDownsamplingCf2Cl module = Randomised(dimIn, dimOut, factor, seed: 1);
        module.eval();
        Tensor x = randn([2, 16, 24, dimIn], generator: new Generator(2)).permute(0, 3, 1, 2);
        Tensor plain = module.call(x);
        Tensor inferred = Infer(module, x);
        Assert.Equal([2L, 16 / factor, 24 / factor, dimOut], inferred.shape);
        Assert.True(TensorAssert.Same(plain, inferred));
    }

    [Fact]
    public void CachedWeight_FollowsWeightsChangedInPlace_AfterInvalidation_AndTrainingMode()
    {
        using DisposeScope scope = NewDisposeScope();
        using ConvDownsamplingCf2Cl module = Randomised(4, 8, 2, seed: 3);
        module.eval();
        Tensor x = randn([1, 4, 8, 8], generator: new Generator(4));
        Tensor before = Infer(module, x);
        Tensor weight = module.get_parameter("conv.weight")!;
        using (no_grad())
        {
            weight.mul_(Of(2.0));
        }
        // A cache cannot see in-place writes (weight loaders invalidate, as for BaseConv's fold).
        Assert.True(TensorAssert.Same(Infer(module, x), before));
        InferenceCaches.Invalidate(module);
        Tensor doubled = Infer(module, x);
        Assert.False(TensorAssert.Same(doubled, before));
        Assert.True(TensorAssert.Same(module.call(x), doubled));

        using (no_grad())
        {
            weight.mul_(Of(0.5));
        }
        module.train();
        module.eval();
        Assert.True(TensorAssert.Same(before, Infer(module, x)));
    }

    private static Tensor Infer(ConvDownsamplingCf2Cl module, Tensor x)
    {
        using IDisposable inference = inference_mode();
        return module.call(x).clone();
    }

    private static ConvDownsamplingCf2Cl Randomised(int dimIn, int dimOut, int factor, int seed)
    {
        var module = new ConvDownsamplingCf2Cl(dimIn, dimOut, factor);
        var g = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach ((string name, Tensor p) in module.named_parameters())
            {
                p.copy_(randn(p.shape, generator: g).mul(Of(0.3)).add(Of(name == "norm.weight" ? 1.0 : 0.0), One));
            }
        }
        return module;
    }
}
