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
}
