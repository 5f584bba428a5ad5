using EventSsm.Model.Backbone;
using EventSsm.Tensors;
using EventSsm.Tests.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

public sealed class SelfAttentionClTests
{
    /// <summary>
    /// On the CPU, training and inference compute the attention unfused, one product after the other (docs/MODEL.md
    /// §11.1); both must be softmax(q kᵀ·dh^-½) v of the head-major qkv layout, here written out head by head as the
    /// reference, and the training path's backward must give the reference's input gradient.
    /// </summary>
    [Theory]
    [InlineData(48, 24, 10)]   // small, stage 1: 2 heads on 8×10 partitions
    [InlineData(64, 32, 4)]    // base, stage 1: 2 heads of 32 channels
    [InlineData(32, 8, 4)]     // the demo's micro model, stage 2: 4 heads
    public void WithAndWithoutGradients_EqualTheWrittenOutAttention(int dim, int dimHead, int batch)
    {
        using DisposeScope scope = NewDisposeScope();
        manual_seed(5);
        using var attention = new SelfAttentionCl(dim, dimHead);
        var g = new Generator(9);
        Tensor x = randn([batch, 8, 10, dim], generator: g);
        Tensor upstream = randn([batch, 8, 10, dim], generator: g);

        Tensor xTrain = x.clone().requires_grad_(true);
        Tensor training;
        using (enable_grad())
        {
            training = attention.call(xTrain);
            training.mul(upstream).sum().backward();
        }
        Tensor inference;
        using (no_grad())
        {
            inference = attention.call(x);
        }

        var parameters = attention.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach());
        Tensor xReference = x.clone().requires_grad_(true);
        Tensor expected;
        using (enable_grad())
        {
            Tensor qkv = nn.functional.linear(xReference.view(batch, 80, dim), parameters["qkv.weight"], parameters["qkv.bias"]);
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
            expected = nn.functional.linear(cat(outputs, 2), parameters["proj.weight"], parameters["proj.bias"])
                .view(batch, 8, 10, dim);
            expected.mul(upstream).sum().backward();
        }

        TensorAssert.Close(expected.detach(), training.detach(), abs: 1e-5, rel: 1e-4, what: "training");
        TensorAssert.Close(expected.detach(), inference, abs: 1e-5, rel: 1e-4, what: "inference");
        TensorAssert.Close(xReference.grad!, xTrain.grad!, abs: 1e-5, rel: 1e-4, what: "input gradient");
    }
}
