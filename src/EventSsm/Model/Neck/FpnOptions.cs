using EventSsm.Model.Ssm;

namespace EventSsm.Model.Neck;

/// <summary>
/// PAFPN settings (<c>model.fpn</c> in the original config, docs/MODEL.md §1/§5).
/// <paramref name="InStages"/> are the backbone stages fed in (2, 3, 4); <paramref name="InChannels"/> their widths.
/// Only <c>act = "silu"</c> and <c>depthwise = false</c> exist in the S5-ViT configs.
/// </summary>
public sealed record FpnOptions(double Depth, int[] InStages, long[] InChannels, string Act = "silu", bool Depthwise = false)
{
    /// <summary>Bottlenecks per CSP layer: Python's round(3·depth) (banker's rounding, as Python 3).</summary>
    public int BottlenecksPerCsp => (int)Math.Round(3 * Depth, MidpointRounding.ToEven);

    /// <summary>Throws <see cref="ArgumentException"/> for settings the port does not implement.</summary>
    public void Validate()
    {
        if (InStages.Length != 3 || InChannels.Length != 3)
        {
            throw new ArgumentException($"PAFPN needs exactly 3 input stages, got in_stages [{string.Join(", ", InStages)}] and in_channels [{string.Join(", ", InChannels)}].");
        }
        if (Act != "silu")
        {
            throw new ArgumentException($"PAFPN activation '{Act}' is not supported (only 'silu').");
        }
        if (Depthwise)
        {
            throw new ArgumentException("PAFPN depthwise=true is not supported (S5-ViT configs use depthwise=false).");
        }
        if (Depth < 0)
        {
            throw new ArgumentException($"PAFPN depth must be ≥ 0, got {Depth}.");
        }
    }
}
