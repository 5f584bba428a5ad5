using System.Text.RegularExpressions;

namespace EventSsm.Config;

/// <summary>
/// Hydra-style composition over a config directory (docs/MODEL.md §1): a primary config's <c>defaults</c> list,
/// group selection (<c>dataset=gen1</c>), appended groups (<c>+experiment/gen1=small.yaml</c>) and value overrides
/// (<c>model.backbone.embed_dim=16</c>, <c>+new.key=1</c> to add, <c>++key=1</c> to add or replace).
/// Supported defaults entries: <c>- name</c> (a config of the same group), <c>- group: option</c> (relative, or
/// absolute with a leading <c>/</c>), <c>- optional group: option</c>, <c>- override /group: option</c> and
/// <c>- _self_</c>, which is implied last when absent (Hydra ≥ 1.1). A <c># @package _global_</c> header places a
/// config at the root; otherwise it lands under its group path.
/// </summary>
public sealed partial class ConfigComposer
{
    private readonly string _configDir;
    private readonly Dictionary<string, string> _choices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _composed = new(StringComparer.Ordinal);

    private ConfigComposer(string configDir)
    {
        _configDir = configDir;
    }

    [GeneratedRegex(@"^\s*#\s*@package\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PackageHeader();

    /// <summary>Composes <paramref name="primary"/> (e.g. "train") from <paramref name="configDir"/> with command-line style overrides.</summary>
    public static ConfigNode Compose(string configDir, string primary, IEnumerable<string>? overrides = null)
    {
        if (!Directory.Exists(configDir))
        {
            throw new DirectoryNotFoundException($"{configDir}: config directory not found");
        }
        var composer = new ConfigComposer(configDir);
        return composer.Run(primary, (overrides ?? []).Select(ConfigOverride.Parse).ToList());
    }

    private ConfigNode Run(string primary, List<ConfigOverride> overrides)
    {
        var appended = new List<(string Group, string Option)>();
        var values = new List<ConfigOverride>();
        foreach (ConfigOverride o in overrides)
        {
            bool isGroup = o.Key.Contains('/') || Directory.Exists(Path.Combine(_configDir, o.Key));
            if (!isGroup)
            {
                values.Add(o);
            }
            else if (o.Mode == OverrideMode.Add)
            {
                appended.Add((o.Key, StripYaml(o.RawValue)));
            }
            else
            {
                _choices[o.Key] = StripYaml(o.RawValue);
            }
        }

        var result = ConfigNode.Empty();
        var unusedChoices = new HashSet<string>(_choices.Keys, StringComparer.Ordinal);
        ComposeFile(result, StripYaml(primary), "", isPrimary: true, unusedChoices, appended);
        if (unusedChoices.Count > 0)
        {
            string g = unusedChoices.First();
            throw new ConfigException($"could not select '{g}={_choices[g]}': group '{g}' is not in the defaults list; use '+{g}={_choices[g]}' to add it");
        }
        foreach (ConfigOverride v in values)
        {
            v.Apply(result);
        }
        result.ResolveInterpolations();
        return result;
    }

    private static string StripYaml(string name) =>
        name.EndsWith(".yaml", StringComparison.Ordinal) ? name[..^5] : name;

    /// <summary>Merges config <paramref name="name"/> (a path under the config dir, no extension) into <paramref name="result"/>.</summary>
    private void ComposeFile(ConfigNode result, string name, string defaultPackage, bool isPrimary,
        HashSet<string> unusedChoices, List<(string Group, string Option)> appended)
    {
        string path = Path.Combine(_configDir, name + ".yaml");
        if (!File.Exists(path))
        {
            throw new ConfigException($"config '{name}' not found ({path}){OptionsHint(Path.GetDirectoryName(name) ?? "")}");
        }
        string text = File.ReadAllText(path);
        Match header = PackageHeader().Match(text);
        string package = !header.Success ? defaultPackage
            : header.Groups[1].Value == "_global_" ? ""
            : header.Groups[1].Value;
        ConfigNode own = ConfigNode.FromYaml(text, path);
        List<object?> defaults = [];
        if (own.Root.Remove("defaults", out object? d))
        {
            defaults = d as List<object?> ?? throw new ConfigException($"{path}: 'defaults' must be a list");
        }
        string groupDir = Path.GetDirectoryName(name)?.Replace('\\', '/') ?? "";
        bool selfDone = false;
        foreach (object? entry in defaults)
        {
            if (entry is "_self_")
            {
                result.Merge(own, package);
                selfDone = true;
                continue;
            }
            ComposeEntry(result, entry, groupDir, path, unusedChoices, appended);
        }
        if (!selfDone)
        {
            result.Merge(own, package);
        }
        if (isPrimary)
        {
            foreach ((string group, string option) in appended)
            {
                ComposeGroup(result, group, option, path, unusedChoices, appended);
            }
        }
    }

    private void ComposeEntry(ConfigNode result, object? entry, string groupDir, string path,
        HashSet<string> unusedChoices, List<(string Group, string Option)> appended)
    {
        switch (entry)
        {
            case string sameGroup:
                // A config of the containing group: it shares the group's package.
                string name = groupDir.Length == 0 ? sameGroup : $"{groupDir}/{sameGroup}";
                ComposeFile(result, name, groupDir.Replace('/', '.'), isPrimary: false, unusedChoices, appended);
                break;
            case OrderedDictionary<string, object?> { Count: 1 } map:
                (string rawKey, object? rawOption) = map.First();
                bool isOverride = rawKey.StartsWith("override ", StringComparison.Ordinal);
                bool optional = rawKey.StartsWith("optional ", StringComparison.Ordinal);
                string groupKey = isOverride || optional ? rawKey[(rawKey.IndexOf(' ') + 1)..].Trim() : rawKey;
                string group = groupKey.StartsWith('/') ? groupKey[1..] : groupDir.Length == 0 ? groupKey : $"{groupDir}/{groupKey}";
                if (isOverride)
                {
                    ApplyDefaultsOverride(group, rawOption, path);
                    break;
                }
                if (_choices.TryGetValue(group, out string? chosen))
                {
                    unusedChoices.Remove(group);
                    rawOption = chosen;
                }
                if (rawOption is null)
                {
                    break;
                }
                if (rawOption is ConfigMissing)
                {
                    throw new ConfigException($"{path}: you must choose a '{group}' config, e.g. '{group}=<name>'{OptionsHint(group)}");
                }
                if (optional && !File.Exists(Path.Combine(_configDir, group, $"{rawOption}.yaml")))
                {
                    break;
                }
                ComposeGroup(result, group, rawOption.ToString()!, path, unusedChoices, appended);
                break;
            default:
                throw new ConfigException($"{path}: unsupported defaults entry {ConfigYaml.Inline(entry)}");
        }
    }

    private void ComposeGroup(ConfigNode result, string group, string option, string path,
        HashSet<string> unusedChoices, List<(string Group, string Option)> appended)
    {
        option = StripYaml(option);
        if (!File.Exists(Path.Combine(_configDir, group, option + ".yaml")))
        {
            throw new ConfigException($"{path}: no config '{option}' in group '{group}'{OptionsHint(group)}");
        }
        _composed[group] = option;
        ComposeFile(result, $"{group}/{option}", group.Replace('/', '.'), isPrimary: false, unusedChoices, appended);
    }

    /// <summary>
    /// <c>override /group: option</c> re-selects a group chosen earlier. Only the case the shipped configs need is
    /// supported: the group is already composed with that option (or not composed yet, which records the choice).
    /// </summary>
    private void ApplyDefaultsOverride(string group, object? option, string path)
    {
        string wanted = option?.ToString() ?? "null";
        if (_composed.TryGetValue(group, out string? done))
        {
            if (done != wanted)
            {
                throw new ConfigException($"{path}: 'override /{group}: {wanted}' after '{group}' was composed as '{done}' is not supported");
            }
            return;
        }
        _choices.TryAdd(group, wanted);
    }

    private string OptionsHint(string group)
    {
        string dir = Path.Combine(_configDir, group);
        if (!Directory.Exists(dir))
        {
            return "";
        }
        string[] options = Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;
        return options.Length == 0 ? "" : $"; available: {string.Join(", ", options)}";
    }
}
