using EventSsm.Events;

namespace EventSsm.Labels;

/// <summary>The two Prophesee automotive datasets the original supports.</summary>
public enum DatasetKind
{
    /// <summary>Gen1 automotive: 304×240, classes car / pedestrian.</summary>
    Gen1,

    /// <summary>1 Megapixel automotive ("gen4"): 1280×720, downsampled ×2 to 640×360 for the model.</summary>
    Gen4,
}

/// <summary>Fixed facts about each dataset (docs/DATA.md §1.2, §3.1, §4.5).</summary>
public static class DatasetInfo
{
    private static readonly string[] s_gen1Classes = ["car", "pedestrian"];
    private static readonly string[] s_gen4Classes = ["pedestrian", "two-wheeler", "car"];

    /// <summary>Sensor size of the dataset's recordings (before any downsampling).</summary>
    public static Events.SensorSize SensorSize(DatasetKind kind) => kind == DatasetKind.Gen1 ? Events.SensorSize.Gen1 : Events.SensorSize.Gen4;

    /// <summary>
    /// Class names the model predicts, indexed by class id (gen4 keeps classes ≤ 2 after preprocessing); the COCO
    /// category id is the index + 1 (docs/DATA.md §4.5).
    /// </summary>
    public static IReadOnlyList<string> ClassNames(DatasetKind kind) => kind switch
    {
        DatasetKind.Gen1 => s_gen1Classes,
        DatasetKind.Gen4 => s_gen4Classes,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown dataset"),
    };

    /// <summary>Parses "gen1", "gen4" or "1mpx" (case-insensitive, surrounding blanks ignored).</summary>
    public static DatasetKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gen1" => DatasetKind.Gen1,
        "gen4" or "1mpx" => DatasetKind.Gen4,
        _ => throw new ArgumentException($"unknown dataset '{name}' (expected gen1 or gen4)"),
    };
}
