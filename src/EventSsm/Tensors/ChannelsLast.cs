using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>Channels-last memory for 4-D tensors (docs/MODEL.md §11.1).</summary>
public static class ChannelsLast
{
    /// <summary>
    /// A copy of the (O, I, kh, kw) convolution weight <paramref name="weight"/> with channels-last strides. libtorch
    /// runs a convolution on NHWC input with a channels-last weight and copies an OIHW weight of a kernel larger
    /// than 1×1 into that layout at every call; an inference cache that holds the weight this way saves the copy.
    /// A 1×1 weight is channels-last already and comes back as it is.
    /// </summary>
    public static Tensor Weight(Tensor weight)
    {
        if (weight.dim() != 4)
        {
            throw new ArgumentException($"a convolution weight has 4 dimensions, got {weight.dim()}", nameof(weight));
        }
        return weight.shape[2] == 1 && weight.shape[3] == 1
            ? weight.alias()
            : weight.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    /// <summary>
    /// Frames (…, C, H, W) copied into channels-last memory: a (…, C, H, W) view of a new (…, H, W, C) tensor,
    /// equal bit for bit. A contiguous float32 CPU tensor outside autograd takes <see cref="NchwToNhwc"/>, anything
    /// else libtorch's permuted copy (docs/MODEL.md §11.1, "Channels-last input").
    /// </summary>
    public static Tensor Copy(Tensor frames)
    {
        int rank = (int)frames.dim();
        if (rank < 3)
        {
            throw new ArgumentException($"frames have at least 3 dimensions (…, C, H, W), got {rank}", nameof(frames));
        }
        long[] shape = frames.shape;
        long[] lead = [.. Enumerable.Range(0, rank - 3).Select(i => (long)i)];
        long[] back = [.. lead, rank - 1, rank - 3, rank - 2];
        if (!ManagedCopyApplies(frames))
        {
            return frames.permute([.. lead, rank - 2, rank - 1, rank - 3]).contiguous().permute(back);
        }
        (int c, int h, int w) = ((int)shape[^3], (int)shape[^2], (int)shape[^1]);
        var geometry = new NchwToNhwc.Shape((int)(frames.numel() / ((long)c * h * w)), c, h, w, h, w);
        // Only the view is handed out: it holds the storage, and disposing it frees the memory.
        using Tensor result = empty([.. shape[..^3], h, w, c], float32, CPU);
        NchwToNhwc.Copy(MemoryMarshal.Cast<byte, float>(frames.bytes), MemoryMarshal.Cast<byte, float>(result.bytes), geometry);
        return result.permute(back);
    }

    /// <summary>
    /// <paramref name="count"/> frames (C, H, W) of <paramref name="values"/> zero-padded right and bottom to
    /// <paramref name="paddedHeight"/> × <paramref name="paddedWidth"/> (as <c>InputPadder</c> pads) in one copy, as
    /// (count, 1, C, H', W') with channels-last memory on the CPU: the detector's streaming input without the separate
    /// copies into a tensor, padding and the stem's NHWC copy.
    /// </summary>
    public static Tensor PaddedFrames(float[] values, int count, int channels, int height, int width, int paddedHeight,
        int paddedWidth)
    {
        ArgumentNullException.ThrowIfNull(values);
        var geometry = new NchwToNhwc.Shape(count, channels, height, width, paddedHeight, paddedWidth);
        using Tensor result = empty([count, 1, paddedHeight, paddedWidth, channels], float32, CPU);
        NchwToNhwc.Copy(values, MemoryMarshal.Cast<byte, float>(result.bytes), geometry);
        return result.permute(0, 1, 4, 2, 3);
    }

    // Tensor.bytes spans at most int.MaxValue bytes; larger inputs take libtorch's copy.
    private static bool ManagedCopyApplies(Tensor frames) =>
        frames.device_type == DeviceType.CPU && frames.dtype == ScalarType.Float32 && frames.is_contiguous()
        && !frames.requires_grad && frames.numel() > 0 && frames.numel() * sizeof(float) <= int.MaxValue;
}
