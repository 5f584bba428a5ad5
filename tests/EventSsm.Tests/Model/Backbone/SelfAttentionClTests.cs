using EventSsm.Model.Backbone;
using EventSsm.Tensors;
using EventSsm.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

public sealed class SelfAttentionClTests
{
    /// <summary>
    /// Training takes libtorch's fused kernel for heads of 16 channels or more, inference and narrower heads the
    /// unfused products (docs/MODEL.md §11.1); both must be softmax(q kᵀ·dh^-½) v of the head-major qkv layout, here
    /// written out head by head as the reference.
    /// </summary>
    [Theory]
    [InlineData(48, 24, 10)]   // small, stage 1: 2 heads on 8×10 partitions (fused in training)
    [InlineData(64, 16, 4)]    // 16 channels per head: the narrowest the fused kernel gets
    [InlineData(32, 8, 4)]     // the demo's micro model, stage 2: 4 heads (unfused in training too)
    public void FusedAndUnfused_EqualTheWrittenOutAttention(int dim, int dimHead, int batch)
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(5);
        using var attention = new SelfAttentionCl(dim, dimHead);
        var g = new Generator(9);
        Tensor x = randn([batch, 8, 10, dim], generator: g);

        Tensor fused;
        using (enable_grad())
        {
            fused = attention.call(x.requires_grad_(true)).detach();
        }
        Tensor unfused;
        using (no_grad())
        {
            unfused = attention.call(x);
        }

        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        Tensor qkv = nn.functional.linear(x.detach().view(batch, 80, dim), parameters["qkv.weight"], parameters["qkv.bias"]);
        int heads = dim / dimHead;
        var outputs = new List<Tensor>();
        for (int h = 0; h < heads; h++)
        {
            Tensor block = qkv.narrow(2, h * 3L * dimHead, 3L * dimHead);
            Tensor q = block.narrow(2, 0, dimHead);
            Tensor k = block.narrow(2, dimHead, dimHead);
            Tensor v = block.narrow(2, 2L * dimHead, dimHead);
            Tensor weights = q.bmm(k.transpose(1, 2)).div(Scalars.Of(Math.Sqrt(dimHead))).softmax(-1);
            outputs.Add(weights.bmm(v));
        }
        Tensor expected = nn.functional.linear(cat(outputs, 2), parameters["proj.weight"], parameters["proj.bias"])
            .view(batch, 8, 10, dim);

        TensorAssert.Close(expected, fused, abs: 1e-5, rel: 1e-4, what: "fused (training)");
        TensorAssert.Close(expected, unfused, abs: 1e-5, rel: 1e-4, what: "unfused (inference)");
    }
}
