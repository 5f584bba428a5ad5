using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EventSsm.Config;

/// <summary>
/// A configuration tree addressed by dotted keys (<c>model.backbone.embed_dim</c>), as OmegaConf's DictConfig.
/// Maps are ordered; values are null, bool, long, double, string, <see cref="ConfigMissing"/>, lists and maps.
/// </summary>
public sealed partial class ConfigNode
{
    private readonly OrderedDictionary<string, object?> _root;

    internal ConfigNode(OrderedDictionary<string, object?> root)
    {
        _root = root;
    }

    /// <summary>An empty tree.</summary>
    public static ConfigNode Empty() => new(new OrderedDictionary<string, object?>(StringComparer.Ordinal));

    /// <summary>Parses one YAML document (no composition); <paramref name="source"/> names it in errors.</summary>
    public static ConfigNode FromYaml(string yaml, string source = "<yaml>") => new(ConfigYaml.ParseMap(yaml, source));

    /// <summary>Parses a YAML file (no composition).</summary>
    public static ConfigNode Load(string path) => FromYaml(File.ReadAllText(path), path);

    internal OrderedDictionary<string, object?> Root => _root;

    /// <summary>A deep copy.</summary>
    public ConfigNode Clone() => new((OrderedDictionary<string, object?>)DeepCopy(_root)!);

    /// <summary>Whether the dotted <paramref name="key"/> exists.</summary>
    public bool Contains(string key) => TryGet(key, out _);

    /// <summary>The raw value at a dotted key; a missing key throws with the closest existing keys.</summary>
    public object? Get(string key)
    {
        if (TryGet(key, out object? value))
        {
            return value;
        }
        throw new ConfigException(UnknownKeyMessage(key));
    }

    /// <summary>The raw value at a dotted key, if it exists.</summary>
    public bool TryGet(string key, out object? value)
    {
        value = null;
        object? node = _root;
        foreach (string part in SplitKey(key))
        {
            if (node is not OrderedDictionary<string, object?> map || !map.TryGetValue(part, out node))
            {
                return false;
            }
        }
        value = node;
        return true;
    }

    /// <summary>A sub-tree as its own node (shares nothing with this one).</summary>
    public ConfigNode GetNode(string key) => Get(key) switch
    {
        OrderedDictionary<string, object?> map => new((OrderedDictionary<string, object?>)DeepCopy(map)!),
        var v => throw TypeError(key, v, "a mapping"),
    };

    /// <summary>An integer value as 64 bits.</summary>
    public long GetInt64(string key) => Present(key) switch
    {
        long l => l,
        var v => throw TypeError(key, v, "an int"),
    };

    /// <summary>An integer value; one beyond 32 bits is an error naming the key.</summary>
    public int GetInt(string key)
    {
        long v = GetInt64(key);
        if (v is < int.MinValue or > int.MaxValue)
        {
            throw new ConfigException($"config key '{key}' = {v} does not fit a 32-bit int");
        }
        return (int)v;
    }

    /// <summary>A float; an int value is accepted, as in Python.</summary>
    public double GetDouble(string key) => Present(key) switch
    {
        double d => d,
        long l => l,
        var v => throw TypeError(key, v, "a float"),
    };

    /// <summary>A string value.</summary>
    public string GetString(string key) => Present(key) switch
    {
        string s => s,
        var v => throw TypeError(key, v, "a string"),
    };

    /// <summary>A boolean value.</summary>
    public bool GetBool(string key) => Present(key) switch
    {
        bool b => b,
        var v => throw TypeError(key, v, "a bool"),
    };

    /// <summary>A list of integers.</summary>
    public int[] GetIntList(string key) => Present(key) switch
    {
        List<object?> list when list.All(x => x is long l && l is >= int.MinValue and <= int.MaxValue) =>
            list.Select(x => (int)(long)x!).ToArray(),
        var v => throw TypeError(key, v, "a list of ints"),
    };

    /// <summary>A list of floats (ints accepted).</summary>
    public double[] GetDoubleList(string key) => Present(key) switch
    {
        List<object?> list when list.All(x => x is long or double) =>
            list.Select(x => x is long l ? l : (double)x!).ToArray(),
        var v => throw TypeError(key, v, "a list of floats"),
    };

    /// <summary>Sets a value, creating intermediate maps when <paramref name="create"/> is true.</summary>
    public void Set(string key, object? value, bool create = false)
    {
        string[] parts = SplitKey(key);
        OrderedDictionary<string, object?> map = _root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (map.TryGetValue(parts[i], out object? next) && next is OrderedDictionary<string, object?> child)
            {
                map = child;
            }
            else if (create && (next is null || next is ConfigMissing))
            {
                child = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                map[parts[i]] = child;
                map = child;
            }
            else
            {
                throw new ConfigException(next is null ? UnknownKeyMessage(key) : $"config key '{string.Join('.', parts[..(i + 1)])}' is not a mapping, cannot set '{key}'");
            }
        }
        if (!create && !map.ContainsKey(parts[^1]))
        {
            throw new ConfigException(UnknownKeyMessage(key));
        }
        map[parts[^1]] = CheckValue(value, key);
    }

    /// <summary>Deep merge as OmegaConf.merge: maps merge key by key, everything else is replaced.</summary>
    public void Merge(ConfigNode other, string? atKey = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        OrderedDictionary<string, object?> target = _root;
        if (!string.IsNullOrEmpty(atKey))
        {
            foreach (string part in SplitKey(atKey))
            {
                if (!target.TryGetValue(part, out object? next) || next is not OrderedDictionary<string, object?> child)
                {
                    child = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                    target[part] = child;
                }
                target = child;
            }
        }
        MergeInto(target, other._root);
    }

    /// <summary>
    /// Replaces every <c>${key}</c> / <c>${..key}</c> interpolation by the value it names (absolute keys, or relative
    /// with one dot per level up from the containing map), as OmegaConf does on access.
    /// </summary>
    public void ResolveInterpolations()
    {
        for (int pass = 0; pass < 16; pass++)
        {
            if (!ResolveIn(_root, []))
            {
                return;
            }
        }
        throw new ConfigException("config interpolations do not resolve (a cycle?)");
    }

    /// <summary>The tree as YAML.</summary>
    public string ToYaml() => ConfigYaml.Emit(_root);

    /// <summary>The tree as compact JSON (for safetensors metadata and run records).</summary>
    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            WriteJson(w, _root);
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>A tree from the JSON <see cref="ToJson"/> writes.</summary>
    public static ConfigNode FromJson(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        return FromJsonElement(doc.RootElement) is OrderedDictionary<string, object?> map
            ? new ConfigNode(map)
            : throw new ConfigException("config JSON must be an object");
    }

    /// <summary>Every leaf key in dotted form, in order.</summary>
    public IEnumerable<string> LeafKeys() => Leaves(_root, "");

    /// <summary>The tree as YAML.</summary>
    public override string ToString() => ToYaml();

    internal static object? DeepCopy(object? v) => v switch
    {
        OrderedDictionary<string, object?> map => new OrderedDictionary<string, object?>(
            map.Select(kv => new KeyValuePair<string, object?>(kv.Key, DeepCopy(kv.Value))), StringComparer.Ordinal),
        List<object?> list => list.Select(DeepCopy).ToList(),
        _ => v,
    };

    internal string UnknownKeyMessage(string key)
    {
        string[] close = LeafKeys().Concat(MapKeys(_root, ""))
            .Select(k => (k, d: Distance(k, key)))
            .Where(x => x.d <= Math.Max(2, key.Length / 4))
            .OrderBy(x => x.d).ThenBy(x => x.k, StringComparer.Ordinal)
            .Select(x => x.k).Distinct().Take(3).ToArray();
        string hint = close.Length > 0 ? $"; did you mean {string.Join(", ", close.Select(c => $"'{c}'"))}?" : "";
        return $"unknown config key '{key}'{hint} (prefix with '+' to add a new key)";
    }

    private object? Present(string key)
    {
        object? v = Get(key);
        if (v is ConfigMissing)
        {
            throw new ConfigException($"config key '{key}' is a mandatory value (???) that was never set");
        }
        return v;
    }

    internal static ConfigException TypeError(string key, object? value, string expected) =>
        new($"config key '{key}' = {ConfigYaml.Inline(value)} ({Describe(value)}), expected {expected}");

    internal static string Describe(object? v) => v switch
    {
        null => "null",
        bool => "bool",
        long => "int",
        double => "float",
        string => "string",
        ConfigMissing => "missing",
        List<object?> => "list",
        _ => "mapping",
    };

    private static string[] SplitKey(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        string[] parts = key.Split('.');
        if (parts.Any(p => p.Length == 0))
        {
            throw new ConfigException($"malformed config key '{key}'");
        }
        return parts;
    }

    private static object? CheckValue(object? value, string key) => value switch
    {
        null or bool or long or double or string or ConfigMissing => value,
        int i => (long)i,
        float f => (double)f,
        List<object?> or OrderedDictionary<string, object?> => DeepCopy(value),
        ConfigNode n => DeepCopy(n._root),
        _ => throw new ArgumentException($"config key '{key}': values of type {value.GetType().Name} are not allowed"),
    };

    private static void MergeInto(OrderedDictionary<string, object?> target, OrderedDictionary<string, object?> source)
    {
        foreach ((string key, object? value) in source)
        {
            if (value is OrderedDictionary<string, object?> src && target.TryGetValue(key, out object? existing)
                && existing is OrderedDictionary<string, object?> dst)
            {
                MergeInto(dst, src);
            }
            else
            {
                target[key] = DeepCopy(value);
            }
        }
    }

    [GeneratedRegex(@"^\$\{(\.*)([A-Za-z0-9_.\-]+)\}$")]
    private static partial Regex InterpolationPattern();

    private bool ResolveIn(OrderedDictionary<string, object?> map, List<string> path)
    {
        bool changed = false;
        foreach (string key in map.Keys.ToArray())
        {
            object? v = map[key];
            if (v is OrderedDictionary<string, object?> child)
            {
                changed |= ResolveIn(child, [.. path, key]);
            }
            else if (v is string s && InterpolationPattern().Match(s) is { Success: true } m)
            {
                int up = m.Groups[1].Length;
                if (up > path.Count + 1)
                {
                    throw new ConfigException($"interpolation '{s}' at '{string.Join('.', [.. path, key])}' goes above the root");
                }
                string target = up == 0
                    ? m.Groups[2].Value
                    : string.Join('.', [.. path.Take(path.Count - (up - 1)), m.Groups[2].Value]);
                if (!TryGet(target, out object? resolved))
                {
                    throw new ConfigException($"interpolation '{s}' at '{string.Join('.', [.. path, key])}' names missing key '{target}'");
                }
                map[key] = DeepCopy(resolved);
                changed = true;
            }
        }
        return changed;
    }

    private static IEnumerable<string> Leaves(OrderedDictionary<string, object?> map, string prefix)
    {
        foreach ((string key, object? value) in map)
        {
            string full = prefix + key;
            if (value is OrderedDictionary<string, object?> child && child.Count > 0)
            {
                foreach (string k in Leaves(child, full + "."))
                {
                    yield return k;
                }
            }
            else
            {
                yield return full;
            }
        }
    }

    private static IEnumerable<string> MapKeys(OrderedDictionary<string, object?> map, string prefix)
    {
        foreach ((string key, object? value) in map)
        {
            if (value is OrderedDictionary<string, object?> child)
            {
                yield return prefix + key;
                foreach (string k in MapKeys(child, prefix + key + "."))
                {
                    yield return k;
                }
            }
        }
    }

    private static int Distance(string a, string b)
    {
        int[] prev = Enumerable.Range(0, b.Length + 1).ToArray();
        int[] cur = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    private static void WriteJson(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                // Written as "1.0", not "1", so the value reads back as a float.
                w.WriteRawValue(ConfigYaml.Inline(d));
                break;
            case double d:
                w.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case ConfigMissing:
                w.WriteStringValue("???");
                break;
            case List<object?> list:
                w.WriteStartArray();
                foreach (object? x in list)
                {
                    WriteJson(w, x);
                }
                w.WriteEndArray();
                break;
            case OrderedDictionary<string, object?> map:
                w.WriteStartObject();
                foreach ((string k, object? x) in map)
                {
                    w.WritePropertyName(k);
                    WriteJson(w, x);
                }
                w.WriteEndObject();
                break;
        }
    }

    private static object? FromJsonElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new OrderedDictionary<string, object?>(
            e.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, FromJsonElement(p.Value))), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJsonElement).ToList(),
        JsonValueKind.String => e.GetString() == "???" ? ConfigMissing.Value : e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out long l) && !e.GetRawText().Contains('.') && !e.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
