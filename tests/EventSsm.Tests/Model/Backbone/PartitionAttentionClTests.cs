using TorchSharp;
using EventSsm.Model;
using EventSsm.Model.Backbone;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>
/// The MaxViT block's inference path, whose LayerScale-folded weights of <c>proj</c> and the MLP's second linear are
/// cached (docs/MODEL.md §11.1).
/// </summary>
public sealed class PartitionAttentionClTests
{
    [Theory]
    [InlineData(PartitionType.Window, 8, 4)] // 16 tokens per partition: our attention kernel where AVX-512 is present
    [InlineData(PartitionType.Grid, 2, 2)]   // 4 tokens: libtorch's operators
    public void Inference_EqualsThePathWithGradients_BitForBit(PartitionType type, int ph, int pw)
    {
        using DisposeScope scope = NewDisposeScope();
        using PartitionAttentionCl block = Randomised(type, (ph, pw), seed: 1);
        block.eval();
        Tensor x = randn([2, 16, 8, 16], generator: new Generator(2));
        Tensor withGradients = block.call(x).detach();
        Tensor inferred = Infer(block, x);
        Assert.Equal(x.shape, inferred.shape);
        Assert.True(TensorAssert.Same(withGradients, inferred));
        Assert.True(TensorAssert.Same(inferred, Infer(block, x))); // the second call reads the cache
    }

    [Theory]
    [InlineData("ls1.gamma")] // folded into the attention's proj
    [InlineData("ls2.gamma")] // folded into the MLP's second linear
    public void FoldedWeights_FollowScalesChangedInPlace_AfterInvalidation_AndTrainingMode(string scale)
    {
        using DisposeScope scope = NewDisposeScope();
        using PartitionAttentionCl block = Randomised(PartitionType.Window, (8, 4), seed: 3);
        block.eval();
        Tensor x = randn([1, 8, 8, 16], generator: new Generator(4));
        Tensor before = Infer(block, x);
        Tensor gamma = block.get_parameter(scale)!;
        using (no_grad())
        {
            gamma.mul_(Of(3.0));
        }
        // A cache cannot see in-place writes; weight loaders invalidate it (as for BaseConv's fold).
        Assert.True(TensorAssert.Same(Infer(block, x), before));
        InferenceCaches.Invalidate(block);
        Tensor tripled = Infer(block, x);
        Assert.False(TensorAssert.Same(tripled, before));
        Assert.True(TensorAssert.Same(block.call(x).detach(), tripled));

        using (no_grad())
        {
            gamma.div_(Of(3.0));
        }
        block.train();
        block.eval();
        Tensor after = Infer(block, x);
        Assert.True(after.allclose(before, rtol: 1e-6, atol: 1e-7)); // γ·3/3 may differ from γ in the last bit
    }

    private static Tensor Infer(PartitionAttentionCl block, Tensor x)
    {
        using IDisposable inference = inference_mode();
        return block.call(x).clone();
    }

    /// <summary>A block with every parameter drawn, LayerScale's γ far from its 1e-5 start, so that the scales show.</summary>
    private static PartitionAttentionCl Randomised(PartitionType type, (int H, int W) partition, int seed)
    {
        var block = new PartitionAttentionCl(16, type, partition, dimHead: 8, skipFirstNorm: false);
        var g = new Generator((ulong)seed);
        using (no_grad())
        {
            foreach ((string name, Tensor p) in block.named_parameters())
            {
                double offset = name.StartsWith("norm", StringComparison.Ordinal) && name.EndsWith("weight", StringComparison.Ordinal) ? 1.0 : 0.0;
                p.copy_(randn(p.shape, generator: g).mul(Of(0.3)).add(Of(offset), One));
            }
        }
        return block;
    }
}
