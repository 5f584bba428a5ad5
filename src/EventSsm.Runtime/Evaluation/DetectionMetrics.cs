using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EventSsm.Evaluation;

/// <summary>
/// COCO detection metrics as fractions in [0, 1] (COCOeval <c>stats</c>), −1 where undefined (no ground truth in
/// that area range or class), plus per-class AP. Shared by <c>eventssm evaluate</c> and validation logs.
/// </summary>
public sealed record DetectionMetrics(
    double AP,
    double AP50,
    double AP75,
    double APSmall,
    double APMedium,
    double APLarge,
    double AR1,
    double AR10,
    double AR100,
    double ARSmall,
    double ARMedium,
    double ARLarge,
    IReadOnlyDictionary<string, double> PerClassAP)
{
    /// <summary>Number of COCO images (label frames with surviving ground truth).</summary>
    public int Images { get; init; }

    /// <summary>Ground-truth boxes after filtering.</summary>
    public int GroundTruthBoxes { get; init; }

    /// <summary>Detections inside the images' time windows, counted once per image they fall into.</summary>
    public int Detections { get; init; }

    /// <summary>The 12 values in COCOeval's <c>stats</c> order.</summary>
    public double[] Stats => [AP, AP50, AP75, APSmall, APMedium, APLarge, AR1, AR10, AR100, ARSmall, ARMedium, ARLarge];

    /// <summary>Metrics from COCOeval's 12 <paramref name="stats"/> and the per-class APs.</summary>
    public static DetectionMetrics FromStats(ReadOnlySpan<double> stats, IReadOnlyDictionary<string, double> perClassAp)
    {
        if (stats.Length != 12)
        {
            throw new ArgumentException($"expected 12 COCO stats, got {stats.Length}", nameof(stats));
        }
        return new DetectionMetrics(
            stats[0], stats[1], stats[2], stats[3], stats[4], stats[5],
            stats[6], stats[7], stats[8], stats[9], stats[10], stats[11],
            perClassAp);
    }

    /// <summary>
    /// One JSON object: AP, AP_50, AP_75, AP_S, AP_M, AP_L, AR_1, AR_10, AR_100, AR_S, AR_M, AR_L and
    /// per_class_AP {name: value}.
    /// </summary>
    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            string[] keys = ["AP", "AP_50", "AP_75", "AP_S", "AP_M", "AP_L", "AR_1", "AR_10", "AR_100", "AR_S", "AR_M", "AR_L"];
            double[] stats = Stats;
            for (int i = 0; i < keys.Length; i++)
            {
                w.WriteNumber(keys[i], stats[i]);
            }
            w.WriteStartObject("per_class_AP");
            foreach ((string name, double ap) in PerClassAP)
            {
                w.WriteNumber(name, ap);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A plain-text table in the layout of COCOeval.summarize(), followed by per-class AP.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        (string Kind, string Iou, string Area, int MaxDets)[] rows =
        [
            ("Average Precision", "0.50:0.95", "all", 100), ("Average Precision", "0.50", "all", 100),
            ("Average Precision", "0.75", "all", 100), ("Average Precision", "0.50:0.95", "small", 100),
            ("Average Precision", "0.50:0.95", "medium", 100), ("Average Precision", "0.50:0.95", "large", 100),
            ("Average Recall", "0.50:0.95", "all", 1), ("Average Recall", "0.50:0.95", "all", 10),
            ("Average Recall", "0.50:0.95", "all", 100), ("Average Recall", "0.50:0.95", "small", 100),
            ("Average Recall", "0.50:0.95", "medium", 100), ("Average Recall", "0.50:0.95", "large", 100),
        ];
        double[] stats = Stats;
        for (int i = 0; i < rows.Length; i++)
        {
            (string kind, string iou, string area, int maxDets) = rows[i];
            string abbr = kind.StartsWith("Average Precision", StringComparison.Ordinal) ? "(AP)" : "(AR)";
            sb.Append(CultureInfo.InvariantCulture,
                $" {kind,-18} {abbr} @[ IoU={iou,-9} | area={area,6} | maxDets={maxDets,3} ] = {stats[i]:0.000}\n");
        }
        foreach ((string name, double ap) in PerClassAP)
        {
            sb.Append(CultureInfo.InvariantCulture, $" AP {name,-12} = {ap:0.000}\n");
        }
        sb.Append(CultureInfo.InvariantCulture,
            $" images = {Images}, ground-truth boxes = {GroundTruthBoxes}, detections in windows = {Detections}\n");
        return sb.ToString();
    }
}
