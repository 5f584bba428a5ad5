using System.Globalization;

namespace EventSsm.Events;

/// <summary>A Prophesee camera board known by its system ID (docs/FORMATS.md §4.1).</summary>
public sealed record PropheseeCamera(int SystemId, string Name, string Generation, RawEventFormat Format, int Width, int Height);

/// <summary>
/// Sensor sizes for .raw headers that carry no geometry (docs/FORMATS.md §4): Metavision's table of
/// camera system IDs, then — our own heuristic, not Metavision's — the plugin name and the sensor generation.
/// </summary>
public static class PropheseeCameras
{
    private static readonly PropheseeCamera[] s_table =
    [
        new(0x15, "CCAM3_GEN3", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x17, "CCAM4_GEN3", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x97, "CCAM4_GEN3_EVK", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x19, "CCAM4_GEN3_REV_B", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x99, "CCAM4_GEN3_REV_B_EVK", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x1D, "CCAM4_GEN3_REV_B_EVK_BRIDGE", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x21, "VISIONCAM_GEN3", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0xA1, "VISIONCAM_GEN3_EVK", "3.0", RawEventFormat.Evt2, 640, 480),
        new(0x1C, "CCAM3_GEN31", "3.1", RawEventFormat.Evt2, 640, 480),
        new(0x23, "CCAM5_GEN31", "3.1", RawEventFormat.Evt2, 640, 480),
        new(0x22, "VISIONCAM_GEN31", "3.1", RawEventFormat.Evt2, 640, 480),
        new(0xA2, "VISIONCAM_GEN31_EVK", "3.1", RawEventFormat.Evt2, 640, 480),
        new(0x29, "EVK2_GEN31", "3.1", RawEventFormat.Evt2, 640, 480),
        new(0x28, "EVK3_GEN31_EVT3", "3.1", RawEventFormat.Evt3, 640, 480),
        new(0x1A, "CCAM3_GEN4", "4.0", RawEventFormat.Evt2, 1280, 720),
        new(0x1E, "CCAM5_GEN4", "4.0", RawEventFormat.Evt3, 1280, 720),
        new(0x2E, "CCAM5_GEN4_FIXED_FRAME", "4.0", RawEventFormat.Evt3, 1280, 720),
        new(0x1F, "EVK2_GEN4", "4.0", RawEventFormat.Evt2, 1280, 720),
        new(0x27, "EVK2_GEN41", "4.1", RawEventFormat.Evt2, 1280, 720),
        new(0x30, "EVK3_GEN41", "4.1", RawEventFormat.Evt3, 1280, 720),
        new(0x32, "EVK2_IMX636", "4.2", RawEventFormat.Evt3, 1280, 720),
        new(0x31, "EVK3_IMX636", "4.2", RawEventFormat.Evt3, 1280, 720),
    ];

    /// <summary>Every known board: system ID, name, sensor generation, default event format and sensor size.</summary>
    public static IReadOnlyList<PropheseeCamera> Table => s_table;

    /// <summary>The board with this system ID, or null.</summary>
    public static PropheseeCamera? Find(long systemId) => Array.Find(s_table, c => c.SystemId == systemId);

    /// <summary>
    /// A header's <c>system_ID</c> as Metavision parses it (decimal), or null when absent or not a number.
    /// </summary>
    public static long? ParseSystemId(string? value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long id) ? id : null;

    /// <summary>
    /// Heuristic size from a HAL plugin name (hal_plugin_gen31_evk3, hal_plugin_imx636_evk4…): gen3/gen31 boards are
    /// VGA, gen4/gen41 and IMX636/IMX646 boards HD, GenX320 boards 320×320. Null when the name says nothing.
    /// </summary>
    public static SensorSize? FromPluginName(string? plugin)
    {
        if (string.IsNullOrWhiteSpace(plugin))
        {
            return null;
        }
        string p = plugin.ToLowerInvariant();
        if (p.Contains("genx320", StringComparison.Ordinal))
        {
            return new SensorSize(320, 320);
        }
        if (p.Contains("gen4", StringComparison.Ordinal) || p.Contains("imx636", StringComparison.Ordinal)
            || p.Contains("imx646", StringComparison.Ordinal))
        {
            return new SensorSize(1280, 720);
        }
        if (p.Contains("gen3", StringComparison.Ordinal))
        {
            return new SensorSize(640, 480);
        }
        return null;
    }

    /// <summary>Heuristic size from a sensor generation "major.minor": 3.x VGA, 4.x HD, 320.x 320×320.</summary>
    public static SensorSize? FromGeneration(string? generation)
    {
        if (string.IsNullOrWhiteSpace(generation))
        {
            return null;
        }
        string major = generation.Trim().Split('.')[0];
        return major switch
        {
            "3" => new SensorSize(640, 480),
            "4" => new SensorSize(1280, 720),
            "320" => new SensorSize(320, 320),
            _ => null,
        };
    }
}
