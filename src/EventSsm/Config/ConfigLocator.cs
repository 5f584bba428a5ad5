namespace EventSsm.Config;

/// <summary>
/// Finds the <c>configs/</c> tree every model command composes from: an explicit folder, else the one copied next to
/// the executable, else the nearest one above the current directory (a source checkout).
/// </summary>
public static class ConfigLocator
{
    /// <summary>A file every valid config tree has; it tells a configs folder from an unrelated one.</summary>
    public static readonly string MarkerFile = Path.Combine("model", "maxvit_yolox", "default.yaml");

    /// <summary>
    /// The configs folder: <paramref name="configDir"/> when given (it must hold the marker file), else the one next to
    /// the executable, else the nearest configs/ above <paramref name="startDirectory"/> (default: the current
    /// directory).
    /// </summary>
    public static string Find(string? configDir = null, string? startDirectory = null)
    {
        if (!string.IsNullOrEmpty(configDir))
        {
            if (!File.Exists(Path.Combine(configDir, MarkerFile)))
            {
                throw new DirectoryNotFoundException($"{configDir}: not a configs folder (no {MarkerFile})");
            }
            return Path.GetFullPath(configDir);
        }
        string besideExe = Path.Combine(AppContext.BaseDirectory, "configs");
        if (File.Exists(Path.Combine(besideExe, MarkerFile)))
        {
            return besideExe;
        }
        for (DirectoryInfo? d = new(startDirectory ?? Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "configs");
            if (File.Exists(Path.Combine(candidate, MarkerFile)))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"no configs folder found (next to the executable or above {startDirectory ?? Directory.GetCurrentDirectory()}); pass --config-dir");
    }
}
