using TorchSharp;
using EventSsm.Model;
using EventSsm.Model.Neck;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Tests.Model.Neck;

/// <summary>BaseConv's inference fold of the normalisation into the convolution (docs/MODEL.md §11.1).</summary>
public sealed class BaseConvTests
{
    [Fact]
    public void Inference_FoldsTheNormalisation_AndMatchesTheUnfusedForward()
    {
        using DisposeScope scope = NewDisposeScope();
        using BaseConv module = Randomised(seed: 1);
        module.eval();
        // NHWC memory, as the detector's FPN and head run.
        Tensor x = randn([2, 12, 10, 8], generator: new Generator(2)).permute(0, 3, 1, 2);
        // Eval with autograd on takes the plain Conv → BatchNorm path; inference mode takes the fold.
        Tensor plain = module.call(x);
        Tensor folded;
        using (inference_mode())
        {
            folded = module.call(x).clone();
        }
        TensorAssert.Close(plain, folded, abs: 1e-5, rel: 1e-5, what: "folded vs plain");
        // Different rounding: the fold really ran.
        Assert.False(TensorAssert.Same(plain, folded));
    }

    [Fact]
    public void Fold_FollowsWeightsChangedInPlace_AfterInvalidation_AndTrainingMode()
    {
        using DisposeScope scope = NewDisposeScope();
        using BaseConv module = Randomised(seed: 3);
        module.eval();
        Tensor x = randn([1, 8, 6, 6], generator: new Generator(4));
        Tensor before = Infer(module, x);
        Tensor mean = module.get_buffer("bn.running_mean")!;
        using (no_grad())
        {
            mean.add_(Of(1.0), One);
        }
        // A cache cannot see in-place writes (weight loaders invalidate, as for S5's operands).
        Assert.True(TensorAssert.Same(Infer(module, x), before));
        InferenceCaches.Invalidate(module);
        Tensor moved = Infer(module, x);
        Assert.False(TensorAssert.Same(moved, before));
        TensorAssert.Close(module.call(x), moved, abs: 1e-5, rel: 1e-5, what: "after invalidation");

        using (no_grad())
        {
            mean.add_(Of(-1.0), One);
        }
        module.train();
        module.eval();
        TensorAssert.Close(before, Infer(module, x), abs: 1e-6, rel: 1e-6, what: "after train()/eval()");
    }

    private static Tensor Infer(BaseConv module, Tensor x)
    {
        using IDisposable inference = inference_mode();
        return module.call(x).clone();
    }

    /// <summary>A 3×3 8→16 BaseConv with random weights and non-trivial running statistics.</summary>
    private static BaseConv Randomised(int seed)
    {
        var module = new BaseConv(8, 16, 3);
        var g = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach ((string name, Tensor p) in module.named_parameters())
            {
                p.copy_(randn(p.shape, generator: g).mul(Of(0.3)).add(Of(name.EndsWith("bn.weight", StringComparison.Ordinal) ? 1.0 : 0.0), One));
            }
            module.get_buffer("bn.running_mean")!.copy_(randn([16], generator: g).mul(Of(0.5)));
            module.get_buffer("bn.running_var")!.copy_(rand([16], generator: g).add(Of(0.5), One));
        }
        return module;
    }
}
