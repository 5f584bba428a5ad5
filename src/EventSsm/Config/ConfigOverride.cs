namespace EventSsm.Config;

/// <summary>One command-line override, <c>[+|++]key=value</c>, with the value typed as YAML.</summary>
public sealed record ConfigOverride(string Key, string RawValue, OverrideMode Mode)
{
    /// <summary>Parses <c>[+|++]key=value</c>; a malformed override throws <see cref="ConfigException"/>.</summary>
    public static ConfigOverride Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int eq = text.IndexOf('=');
        if (eq <= 0)
        {
            throw new ConfigException($"override '{text}' is not of the form key=value");
        }
        string key = text[..eq].Trim();
        OverrideMode mode = key.StartsWith("++", StringComparison.Ordinal) ? OverrideMode.ForceAdd
            : key.StartsWith('+') ? OverrideMode.Add
            : OverrideMode.Set;
        key = key.TrimStart('+');
        if (key.Length == 0)
        {
            throw new ConfigException($"override '{text}' has no key");
        }
        return new ConfigOverride(key, text[(eq + 1)..], mode);
    }

    /// <summary>The value as YAML types it: <c>[1,2]</c> a list, <c>true</c> a bool, <c>1e-5</c> a float, <c>null</c> null.</summary>
    public object? Value => ConfigYaml.ParseValue(RawValue, $"override '{Key}'");

    /// <summary>
    /// Applies the override. Without a prefix the key must exist and the new value must fit the old one's type
    /// (an int may replace a float; anything may replace null or ???; a scalar replacing a string is kept as text).
    /// </summary>
    public void Apply(ConfigNode config)
    {
        ArgumentNullException.ThrowIfNull(config);
        object? value = Value;
        bool exists = config.TryGet(Key, out object? old);
        switch (Mode)
        {
            case OverrideMode.Set when !exists:
                throw new ConfigException(config.UnknownKeyMessage(Key));
            case OverrideMode.Add when exists:
                throw new ConfigException($"cannot add '{Key}': it already exists (= {ConfigYaml.Inline(old)}); drop the '+' to change it");
            case OverrideMode.Set:
                value = Coerce(old, value);
                config.Set(Key, value);
                break;
            default:
                config.Set(Key, value, create: true);
                break;
        }
    }

    private object? Coerce(object? old, object? value)
    {
        if (value is null || old is null || old is ConfigMissing)
        {
            return value;
        }
        return (old, value) switch
        {
            (long, long) or (double, double) or (bool, bool) or (string, string) => value,
            (double, long l) => (double)l,
            // Python truthiness: the original's README passes use_test_set=1 to a bool key.
            (bool, long l) when l is 0 or 1 => l != 0,
            (string, not List<object?> and not OrderedDictionary<string, object?>) => RawValue.Trim(),
            (List<object?>, List<object?>) => value,
            (OrderedDictionary<string, object?>, OrderedDictionary<string, object?>) => value,
            _ => throw new ConfigException(
                $"bad value for config key '{Key}': '{RawValue}' is {ConfigNode.Describe(value)}, expected {ConfigNode.Describe(old)} like the current value {ConfigYaml.Inline(old)}"),
        };
    }
}
