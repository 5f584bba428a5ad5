using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EventSsm.Config;

/// <summary>
/// YAML ↔ config tree. Maps become <c>OrderedDictionary&lt;string, object?&gt;</c>, sequences <c>List&lt;object?&gt;</c>,
/// plain scalars are typed as OmegaConf types them (null, bool, int → long, float → double incl. <c>1e-5</c>,
/// <c>???</c> → <see cref="ConfigMissing"/>), quoted scalars stay strings.
/// </summary>
internal static partial class ConfigYaml
{
    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*$")]
    private static partial Regex IntPattern();

    // OmegaConf's loader also accepts 1e-5 (no dot), which plain YAML 1.1 would read as a string.
    [GeneratedRegex(@"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+|[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")]
    private static partial Regex FloatPattern();

    public static OrderedDictionary<string, object?> ParseMap(string text, string source)
    {
        object? root = ParseValue(text, source);
        return root switch
        {
            OrderedDictionary<string, object?> map => map,
            null => new OrderedDictionary<string, object?>(StringComparer.Ordinal),
            _ => throw new ConfigException($"{source}: the top level must be a mapping"),
        };
    }

    public static object? ParseValue(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{source}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode, source);
    }

    private static object? Convert(YamlNode node, string source)
    {
        switch (node)
        {
            case YamlMappingNode m:
                var map = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (KeyValuePair<YamlNode, YamlNode> kv in m.Children)
                {
                    if (kv.Key is not YamlScalarNode { Value: { } key })
                    {
                        throw new ConfigException($"{source}: line {kv.Key.Start.Line}: keys must be plain strings");
                    }
                    if (!map.TryAdd(key, Convert(kv.Value, source)))
                    {
                        throw new ConfigException($"{source}: line {kv.Key.Start.Line}: duplicate key '{key}'");
                    }
                }
                return map;
            case YamlSequenceNode s:
                return s.Children.Select(c => Convert(c, source)).ToList();
            case YamlScalarNode sc:
                return sc.Style is ScalarStyle.Plain ? TypePlainScalar(sc.Value ?? "") : sc.Value ?? "";
            default:
                throw new ConfigException($"{source}: line {node.Start.Line}: unsupported YAML node");
        }
    }

    public static object? TypePlainScalar(string s)
    {
        switch (s)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            case "???":
                return ConfigMissing.Value;
        }
        if (IntPattern().IsMatch(s) && long.TryParse(s.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            return l;
        }
        if (FloatPattern().IsMatch(s))
        {
            string t = s.Replace("_", "").ToLowerInvariant();
            return t switch
            {
                ".inf" or "+.inf" => double.PositiveInfinity,
                "-.inf" => double.NegativeInfinity,
                ".nan" => double.NaN,
                _ => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
        }
        return s;
    }

    public static string Emit(OrderedDictionary<string, object?> root)
    {
        var sb = new StringBuilder();
        EmitMap(sb, root, 0);
        return sb.ToString();
    }

    private static void EmitMap(StringBuilder sb, OrderedDictionary<string, object?> map, int indent)
    {
        foreach ((string key, object? value) in map)
        {
            sb.Append(' ', indent).Append(key).Append(':');
            if (value is OrderedDictionary<string, object?> child)
            {
                if (child.Count == 0)
                {
                    sb.Append(" {}\n");
                }
                else
                {
                    sb.Append('\n');
                    EmitMap(sb, child, indent + 2);
                }
            }
            else
            {
                sb.Append(' ').Append(Inline(value)).Append('\n');
            }
        }
    }

    /// <summary>A value as a flow-style YAML scalar or sequence that reads back to the same typed value.</summary>
    public static string Inline(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatDouble(d),
        ConfigMissing => "???",
        string s => QuoteIfNeeded(s),
        List<object?> list => "[" + string.Join(", ", list.Select(Inline)) + "]",
        OrderedDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {Inline(kv.Value)}")) + "}",
        _ => throw new InvalidOperationException($"unexpected config value type {value.GetType().Name}"),
    };

    private static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return ".nan";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? ".inf" : "-.inf";
        }
        string r = d.ToString("R", CultureInfo.InvariantCulture);
        // Keep a float looking like a float ("1.0", not "1"), so it types back as a float.
        return r.Contains('.') || r.Contains('E') || r.Contains('e') ? r.Replace("E", "e") : r + ".0";
    }

    private static string QuoteIfNeeded(string s)
    {
        bool plainIsSafe = s.Length > 0 && TypePlainScalar(s) is string && !s.StartsWith('$')
            && s.IndexOfAny([':', '#', '[', ']', '{', '}', ',', '\'', '"', '\n', '&', '*', '!', '|', '>', '%', '@', '`']) < 0
            && s.Trim() == s && !s.StartsWith('-') && !s.StartsWith('?');
        return plainIsSafe ? s : "'" + s.Replace("'", "''") + "'";
    }
}
