namespace EventSsm.Evaluation;

/// <summary>The Prophesee automotive datasets whose evaluation protocol we reproduce (data_eval_spec.md §4.4–4.5).</summary>
public enum DetectionDataset
{
    /// <summary>Gen1 (304×240): classes car, pedestrian.</summary>
    Gen1,

    /// <summary>Gen4 / 1 Mpx (1280×720): classes pedestrian, two-wheeler, car.</summary>
    Gen4,
}

/// <summary>Class names and parsing for <see cref="DetectionDataset"/>.</summary>
public static class DetectionDatasets
{
    private static readonly string[] s_gen1Classes = ["car", "pedestrian"];
    private static readonly string[] s_gen4Classes = ["pedestrian", "two-wheeler", "car"];

    /// <summary>Class names indexed by class id; the COCO category id is the index + 1 (§4.5).</summary>
    public static IReadOnlyList<string> ClassNames(DetectionDataset dataset) => dataset switch
    {
        DetectionDataset.Gen1 => s_gen1Classes,
        DetectionDataset.Gen4 => s_gen4Classes,
        _ => throw new ArgumentOutOfRangeException(nameof(dataset), dataset, "unknown dataset"),
    };

    /// <summary>Parses "gen1" or "gen4" (case-insensitive).</summary>
    public static DetectionDataset Parse(string name) => name.ToLowerInvariant() switch
    {
        "gen1" => DetectionDataset.Gen1,
        "gen4" => DetectionDataset.Gen4,
        _ => throw new ArgumentException($"unknown dataset '{name}': expected gen1 or gen4", nameof(name)),
    };
}
