namespace EventSsm.Model.Ssm;

/// <summary>When the detector's S5 layers apply the frequency-selective (pass-band) mask (docs/FREQUENCY.md).</summary>
public enum S5MaskMode
{
    /// <summary>No mask: the original's behaviour.</summary>
    Off,

    /// <summary>Only in eval mode (validation, prediction); training is unaffected. Config value <c>on</c>.</summary>
    Eval,

    /// <summary>In training too. Config value <c>always</c>.</summary>
    Always,
}
