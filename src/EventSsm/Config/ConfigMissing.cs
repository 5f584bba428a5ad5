namespace EventSsm.Config;

/// <summary>OmegaConf's mandatory-missing value <c>???</c>: the key exists, but a value must be supplied before use.</summary>
public sealed class ConfigMissing
{
    /// <summary>The one missing value.</summary>
    public static ConfigMissing Value { get; } = new();

    private ConfigMissing()
    {
    }

    /// <summary><c>???</c>, as in YAML.</summary>
    public override string ToString() => "???";
}
