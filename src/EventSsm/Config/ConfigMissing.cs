namespace EventSsm.Config;

/// <summary>OmegaConf's mandatory-missing value <c>???</c>: the key exists, but a value must be supplied before use.</summary>
public sealed class ConfigMissing
{
    public static ConfigMissing Value { get; } = new();

    private ConfigMissing()
    {
    }

    public override string ToString() => "???";
}
