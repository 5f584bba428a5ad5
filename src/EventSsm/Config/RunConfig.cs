namespace EventSsm.Config;

/// <summary>
/// The config a command runs with: the configs folder found (<see cref="ConfigLocator"/>), the primary config
/// (<c>train</c> or <c>val</c>) composed with the command line's overrides (<see cref="ConfigComposer"/>), then the
/// original's dynamic changes (<see cref="ConfigModifier"/>). What <c>eventssm config</c> prints.
/// </summary>
public static class RunConfig
{
    /// <summary>The primary configs of the shipped tree: train.yaml (training) and val.yaml (validation, inference).</summary>
    public static readonly IReadOnlyList<string> PrimaryNames = ["train", "val"];

    /// <param name="configDir">The configs folder, or null to search for it (<see cref="ConfigLocator.Find"/>).</param>
    /// <param name="modify">false: the composed config only, as hydra's <c>--cfg job</c> prints it.</param>
    /// <param name="primary"><c>train</c> or <c>val</c> (<see cref="PrimaryNames"/>).</param>
    /// <param name="overrides">Hydra-style overrides, applied in order.</param>
    public static ConfigNode Resolve(string? configDir, string primary, IReadOnlyList<string> overrides, bool modify = true)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(overrides);
        ConfigNode cfg = ConfigComposer.Compose(ConfigLocator.Find(configDir), primary, overrides);
        if (modify)
        {
            ConfigModifier.Apply(cfg);
        }
        return cfg;
    }

    /// <summary>
    /// Whether <paramref name="overrides"/> select or add configs of a group (<c>dataset=gen1</c>,
    /// <c>+experiment/gen1=small.yaml</c>) rather than only set values.
    /// </summary>
    public static bool SelectsGroups(string? configDir, IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        if (overrides.Count == 0)
        {
            return false;
        }
        string dir = ConfigLocator.Find(configDir);
        return overrides.Select(ConfigOverride.Parse).Any(o => o.Key.Contains('/') || Directory.Exists(Path.Combine(dir, o.Key)));
    }

    /// <summary>
    /// The config of a command that starts from one of our checkpoints' embedded (resolved) configs: keys the
    /// checkpoint's config lacks get <paramref name="defaults"/>, then the value <paramref name="overrides"/> apply and
    /// the original's dynamic changes run again (an override may change the input size).
    /// </summary>
    public static ConfigNode FromEmbedded(ConfigNode embedded, IReadOnlyList<string> overrides, IReadOnlyDictionary<string, object?> defaults)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(defaults);
        ConfigNode cfg = embedded.Clone();
        foreach ((string key, object? value) in defaults)
        {
            if (!cfg.Contains(key))
            {
                cfg.Set(key, value, create: true);
            }
        }
        foreach (string o in overrides)
        {
            ConfigOverride.Parse(o).Apply(cfg);
        }
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    /// <summary>A value that must be set (not missing, empty or hydra's <c>???</c>), as text; YAML may have parsed a path such as 2024 as a number.</summary>
    public static string RequiredText(ConfigNode config, string key)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.TryGet(key, out object? value) && value?.ToString() is { Length: > 0 } text && text != "???")
        {
            return text;
        }
        throw new ConfigException($"config key '{key}' is not set (pass {key}=...)");
    }
}
