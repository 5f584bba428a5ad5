using static TorchSharp.torch;

namespace EventSsm.Model;

/// <summary>
/// The original's <c>InputPadderFromShape</c>: zero-pads a chunk right and bottom to the model's input size (every
/// backbone stage needs sizes divisible by its partition sizes), constant 0, no top/left padding.
/// </summary>
public static class InputPadder
{
    /// <summary>Casts (L, B, C, H, W) to float32 and pads it to (L, B, C, <paramref name="height"/>, <paramref name="width"/>).</summary>
    public static Tensor Pad(Tensor x, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 5)
        {
            throw new ArgumentException($"input must be (L, B, C, H, W), got ({string.Join(", ", x.shape)})", nameof(x));
        }
        long h = x.shape[3];
        long w = x.shape[4];
        if (h > height || w > width)
        {
            throw new ArgumentException($"input {h}×{w} is larger than the model's {height}×{width}", nameof(x));
        }
        Tensor f = x.to(float32);
        return h == height && w == width ? f : nn.functional.pad(f, [0, width - w, 0, height - h]);
    }
}
