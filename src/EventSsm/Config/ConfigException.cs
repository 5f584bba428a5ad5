namespace EventSsm.Config;

/// <summary>A configuration file, override or value is wrong; the message names the key and what was expected.</summary>
public sealed class ConfigException : ArgumentException
{
    /// <summary>A config error described by <paramref name="message"/>.</summary>
    public ConfigException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
