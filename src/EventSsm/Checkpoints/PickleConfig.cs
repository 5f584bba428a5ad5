using System.Numerics;
using EventSsm.Checkpoints.Pickle;
using EventSsm.Config;
using EventSsm.IO;

namespace EventSsm.Checkpoints;

/// <summary>
/// A config as plain Python values, the form our Lightning checkpoints store it in (docs/MODEL.md §7.1): maps become
/// dicts, lists lists, OmegaConf's missing value the string <c>???</c> (as <c>OmegaConf.to_container</c> writes it).
/// No omegaconf class is pickled, so <c>torch.load(weights_only=True)</c> may read the file and Python needs no
/// omegaconf to open it.
/// </summary>
public static class PickleConfig
{
    private const string Missing = "???";

    /// <summary>The config as ordered dictionaries, lists, strings, longs, doubles, bools and nulls.</summary>
    public static OrderedDictionary<string, object?> ToPython(ConfigNode config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (OrderedDictionary<string, object?>)ToPython(config.Root)!;
    }

    private static object? ToPython(object? value) => value switch
    {
        OrderedDictionary<string, object?> map => new OrderedDictionary<string, object?>(
            map.Select(kv => new KeyValuePair<string, object?>(kv.Key, ToPython(kv.Value))), StringComparer.Ordinal),
        List<object?> list => list.Select(ToPython).ToList(),
        ConfigMissing => Missing,
        _ => value,
    };

    /// <summary>
    /// A config from the unpickled form <see cref="ToPython(ConfigNode)"/> writes; <paramref name="fileName"/> names the file in
    /// errors. Tuples read as lists, the string <c>???</c> as the missing value.
    /// </summary>
    public static ConfigNode FromPickle(object? value, string fileName)
    {
        if (value is not PickleDict dict)
        {
            throw new DataFormatException(fileName, $"the config is {PickleReader.Describe(value)}, not a dict");
        }
        return new ConfigNode((OrderedDictionary<string, object?>)FromPickle(dict, fileName, "")!);
    }

    private static object? FromPickle(object? value, string fileName, string key) => value switch
    {
        PickleDict dict => new OrderedDictionary<string, object?>(dict.Items.Select(kv => new KeyValuePair<string, object?>(
            kv.Key as string ?? throw new DataFormatException(fileName, $"config key {PickleReader.Describe(kv.Key)} under '{key}' is not a string"),
            FromPickle(kv.Value, fileName, key.Length == 0 ? (string)kv.Key : $"{key}.{kv.Key}"))), StringComparer.Ordinal),
        List<object?> list => list.Select(x => FromPickle(x, fileName, key)).ToList(),
        object?[] tuple => tuple.Select(x => FromPickle(x, fileName, key)).ToList(),
        Missing => ConfigMissing.Value,
        null or bool or long or double or string => value,
        BigInteger => throw new DataFormatException(fileName, $"config value at '{key}' is an integer beyond 64 bits"),
        _ => throw new DataFormatException(fileName, $"config value at '{key}' is {PickleReader.Describe(value)}, not a plain value"),
    };
}
