using TorchSharp;
using EventSsm.Tensors;
using EventSsm.Tests.Model;
using static TorchSharp.torch;

namespace EventSsm.Tests.Tensors;

public sealed class TokenLinearTests
{
    [Theory]
    [InlineData(2, 4096, 48, 144, true)]     // the convolution path (tokens ≥ MinTokens, divisible by Images)
    [InlineData(1, 8192, 192, 48, false)]
    [InlineData(3, 100, 16, 24, true)]       // too few tokens: plain linear
    [InlineData(1, 4100, 8, 8, true)]        // not divisible by Images: plain linear
    [InlineData(1, 4112, 8, 8, true)]        // 257 tokens per image, a prime: rows one token wide
    public void Forward_EqualsLinear_OutputAndGradients(long batch, long tokens, long k, long n, bool bias)
    {
        using DisposeScope scope = NewDisposeScope();
        var g = new Generator(7);
        Tensor x = randn([batch, tokens, k], generator: g).requires_grad_(true);
        Tensor w = randn([n, k], generator: g).mul(Scalars.Of(0.2)).requires_grad_(true);
        Tensor? b = bias ? randn([n], generator: g).requires_grad_(true) : null;
        Tensor upstream = randn([batch, tokens, n], generator: g);

        Tensor expected = nn.functional.linear(x, w, b);
        Tensor[] expectedGrads = autograd.grad([expected], b is null ? [x, w] : [x, w, b], [upstream]).ToArray();
        Tensor actual = TokenLinear.Forward(x, w, b);
        Tensor[] actualGrads = autograd.grad([actual], b is null ? [x, w] : [x, w, b], [upstream]).ToArray();

        Assert.Equal(expected.shape, actual.shape);
        TensorAssert.Close(expected, actual, abs: 1e-5, rel: 1e-5, what: "output");
        for (int i = 0; i < expectedGrads.Length; i++)
        {
            TensorAssert.CloseRelativeToMax(expectedGrads[i], actualGrads[i], 1e-5, $"gradient {i}");
        }
    }

    [Theory]
    [InlineData(4096, true)]   // the convolution path
    [InlineData(100, true)]    // plain linear
    [InlineData(4096, false)]
    public void Forward_WithOutputScale_EqualsTheLayerTimesTheScale_OutputAndGradients(long tokens, bool bias)
    {
        using DisposeScope scope = NewDisposeScope();
        var g = new Generator(11);
        using var layer = nn.Linear(48, 32, hasBias: bias);
        using (no_grad())
        {
            layer.weight!.copy_(randn([32, 48], generator: g).mul(Scalars.Of(0.2)));
            layer.bias?.copy_(randn([32], generator: g));
        }
        Tensor x = randn([2, tokens, 48], generator: g).requires_grad_(true);
        // A LayerScale-like γ, with values far from 1 so that a missing or misplaced scale shows.
        Tensor gamma = randn([32], generator: g).requires_grad_(true);
        Tensor upstream = randn([2, tokens, 32], generator: g);
        Tensor[] inputs = layer.bias is Tensor b ? [x, gamma, layer.weight!, b] : [x, gamma, layer.weight!];

        Tensor expected = nn.functional.linear(x, layer.weight!, layer.bias).mul(gamma);
        Tensor[] expectedGrads = autograd.grad([expected], inputs, [upstream]).ToArray();
        Tensor actual = TokenLinear.Forward(layer, x, gamma);
        Tensor[] actualGrads = autograd.grad([actual], inputs, [upstream]).ToArray();

        TensorAssert.Close(expected, actual, abs: 1e-5, rel: 1e-5, what: "output");
        for (int i = 0; i < expectedGrads.Length; i++)
        {
            TensorAssert.CloseRelativeToMax(expectedGrads[i], actualGrads[i], 1e-5, $"gradient {i}");
        }
        TensorAssert.Close(nn.functional.linear(x, layer.weight!, layer.bias), TokenLinear.Forward(layer, x, null),
            abs: 1e-5, rel: 1e-5, what: "no scale");
    }

    [Theory]
    [InlineData(3200, 128)]   // small model, stage 1 of a training step: 25 rows of 128
    [InlineData(800, 100)]
    [InlineData(320, 80)]     // stage 1 of a streaming frame
    [InlineData(257, 1)]      // a prime above the limit
    [InlineData(96, 96)]
    [InlineData(1, 1)]
    public void ImageWidth_IsTheWidestDivisorUpToTheLimit(long tokens, long width)
    {
        Assert.Equal(width, TokenLinear.ImageWidth(tokens));
        Assert.Equal(0, tokens % width);
    }
}
