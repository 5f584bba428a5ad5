using System.Globalization;

namespace EventSsm.Bench;

/// <summary>
/// The arguments of the bench's process-level tools (<c>profile</c>, <c>loader</c>, <c>onnx-profile</c>, <c>onnx-ab</c>
/// …): <c>--name value</c> options anywhere, config overrides as the positional arguments.
/// </summary>
internal static class ToolArgs
{
    public static string Value(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int Int(string[] args, string name, int fallback)
    {
        string text = Value(args, name, fallback.ToString(CultureInfo.InvariantCulture));
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new ArgumentException($"{name} must be an integer, got '{text}'");
    }

    /// <summary><see cref="Int"/> for counts: a value below 1 is an error naming the option.</summary>
    public static int Count(string[] args, string name, int fallback)
    {
        int value = Int(args, name, fallback);
        return value >= 1 ? value : throw new ArgumentException($"{name} must be at least 1, got {value}");
    }

    /// <summary>The arguments that are neither an option nor its value; <paramref name="flags"/> are options without one.</summary>
    public static string[] Positional(string[] args, params string[] flags)
    {
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (!flags.Contains(args[i]))
                {
                    i++;
                }
                continue;
            }
            rest.Add(args[i]);
        }
        return [.. rest];
    }

    /// <summary><c>--configs DIR</c>, else the first <c>configs/</c> tree above the tool.</summary>
    public static string Configs(string[] args)
    {
        string given = Value(args, "--configs", "");
        if (given.Length > 0)
        {
            return given;
        }
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(Path.Combine(dir, "configs", "experiment")))
            {
                return Path.Combine(dir, "configs");
            }
        }
        throw new DirectoryNotFoundException("configs/ not found above the tool; pass --configs DIR");
    }

    /// <summary>The 1, 5 and 15 minute load averages, printed with each measurement.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
