using EventSsm.Model.Ssm;

namespace EventSsm.Model.Head;

/// <summary>
/// YOLOX head settings (docs/MODEL.md §1/§6.1). <paramref name="InChannels"/> are the PAFPN output widths per
/// level; the hidden width follows the original's automatic scaling, int(256 · in_channels[-1] / 1024).
/// </summary>
public sealed record HeadOptions(int NumClasses, int[] Strides, long[] InChannels, string Act = "silu", bool Depthwise = false)
{
    /// <summary>int(256·width) with width = in_channels[-1]/1024, as in <c>YOLOXHead.__init__</c>.</summary>
    public long HiddenDim => (long)(256 * (InChannels[^1] / 1024.0));

    /// <summary>Throws <see cref="ArgumentException"/> for settings the port does not implement.</summary>
    public void Validate()
    {
        if (NumClasses < 1)
        {
            throw new ArgumentException($"YOLOX head needs at least one class, got {NumClasses}.");
        }
        if (Strides.Length == 0 || Strides.Length != InChannels.Length)
        {
            throw new ArgumentException($"YOLOX head needs one stride per input level, got strides [{string.Join(", ", Strides)}] and in_channels [{string.Join(", ", InChannels)}].");
        }
        if (Act != "silu")
        {
            throw new ArgumentException($"YOLOX head activation '{Act}' is not supported (only 'silu').");
        }
        if (Depthwise)
        {
            throw new ArgumentException("YOLOX head depthwise=true is not supported (S5-ViT configs use depthwise=false).");
        }
        if (HiddenDim < 1)
        {
            throw new ArgumentException($"YOLOX head hidden width int(256·{InChannels[^1]}/1024) is 0.");
        }
    }
}
