using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// A linear layer applied to every token of a large token batch (x (…, K) → (…, N)), computed as a 1×1 convolution
/// over the tokens laid out as NHWC images (docs/MODEL.md §11.1). Same products and sums as <c>Linear</c>; libtorch
/// runs the convolution per image, so each output block stays in the cache, while one (M×K)·(K×N) GEMM with
/// M in the tens of thousands and K or N of 48–96 streams its whole output through memory.
/// </summary>
public static class TokenLinear
{
    /// <summary>Token batches split into this many images; smaller batches (or ones it does not divide) use <c>linear</c>.</summary>
    public const int Images = 16;

    /// <summary>Batches of at least this many tokens take the convolution path.</summary>
    public const long MinTokens = 4096;

    /// <summary>
    /// The widest image row: each image is laid out as rows of the widest width up to this that divides its tokens
    /// (docs/MODEL.md §11.1). oneDNN's 1×1 kernels block over the row; images one token wide ran about 20 % slower.
    /// </summary>
    public const long MaxImageWidth = 128;

    /// <summary><paramref name="layer"/> applied to the last dimension of <paramref name="x"/>.</summary>
    public static Tensor Forward(Linear layer, Tensor x) => Forward(x, layer.weight!, layer.bias);

    /// <summary>
    /// <paramref name="layer"/>(x)·s, s (N) per output channel, as one linear whose weight rows and bias are scaled by
    /// s (docs/MODEL.md §11.1): the same value up to rounding, without a separate multiplication and without keeping
    /// the layer's output for s's gradient. A null s is the plain layer.
    /// </summary>
    public static Tensor Forward(Linear layer, Tensor x, Tensor? outputScale)
    {
        if (outputScale is null)
        {
            return Forward(layer, x);
        }
        using DisposeScope scope = NewDisposeScope();
        (Tensor weight, Tensor? bias) = ScaleOutputs(layer.weight!, layer.bias, outputScale);
        return Forward(x, weight, bias).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="Forward(Linear, Tensor, Tensor?)"/> with the folded weight and bias kept in <paramref name="cache"/>
    /// (the caller passes one on the inference path only, where the weights cannot change between calls): a frame
    /// then multiplies no weights, where it would scale about 2 M weights per frame for the small model
    /// (docs/MODEL.md §11.1). Null <paramref name="cache"/> folds at the call, as in training.
    /// </summary>
    public static Tensor Forward(Linear layer, Tensor x, Tensor? outputScale, DerivedTensorCache? cache)
    {
        if (outputScale is null || cache is null)
        {
            return Forward(layer, x, outputScale);
        }
        Tensor[] folded = cache.Get([layer.weight, layer.bias, outputScale], () =>
        {
            (Tensor weight, Tensor? bias) = ScaleOutputs(layer.weight!, layer.bias, outputScale);
            return bias is null ? [weight] : [weight, bias];
        });
        return Forward(x, folded[0], folded.Length > 1 ? folded[1] : null);
    }

    /// <summary>
    /// A linear's weight (N, K) and bias (N) with output channel n scaled by s[n]: the fold behind
    /// <see cref="Forward(Linear, Tensor, Tensor?)"/>, which the ONNX exporter bakes into its initializers.
    /// </summary>
    public static (Tensor Weight, Tensor? Bias) ScaleOutputs(Tensor weight, Tensor? bias, Tensor outputScale) =>
        (weight.mul(outputScale.unsqueeze(1)), bias?.mul(outputScale));

    /// <summary><c>linear(x, weight, bias)</c>: weight (N, K), bias (N) or null; a new tensor owned by the caller.</summary>
    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias)
    {
        long k = x.shape[^1];
        long tokens = x.numel() / Math.Max(k, 1);
        if (tokens < MinTokens || tokens % Images != 0 || !x.is_contiguous())
        {
            return nn.functional.linear(x, weight, bias);
        }
        long n = weight.shape[0];
        using DisposeScope scope = NewDisposeScope();
        long perImage = tokens / Images;
        long width = ImageWidth(perImage);
        Tensor images = x.view(Images, perImage / width, width, k).permute(0, 3, 1, 2);
        Tensor y = nn.functional.conv2d(images, weight.view(n, k, 1, 1), bias);
        long[] shape = [.. x.shape[..^1], n];
        return y.permute(0, 2, 3, 1).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>The widest row of at most <see cref="MaxImageWidth"/> tokens that divides <paramref name="tokens"/>.</summary>
    public static long ImageWidth(long tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        for (long width = Math.Min(MaxImageWidth, tokens); width > 1; width--)
        {
            if (tokens % width == 0)
            {
                return width;
            }
        }
        return 1;
    }
}
