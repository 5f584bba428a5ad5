using EventSsm.Config;
using EventSsm.Evaluation;
using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// Everything that differs between datasets, read from the <c>dataset</c> section of the config
/// (<c>configs/dataset/&lt;name&gt;.yaml</c>, docs/DATA.md §8): classes and the map from label-file class ids, sensor
/// size, downsampling, where the files lie, the preprocessing label filters, the label-frame rule, the time origin and
/// the evaluation filter. Preprocessing, training, validation, prediction and the workflows take this one value; the
/// evaluation gets its plain parts (<see cref="ClassNames"/>, <see cref="EvaluationFilter()"/>).
/// </summary>
public sealed record DatasetDescription
{
    /// <summary><c>dataset.name</c>, for messages.</summary>
    public required string Name { get; init; }

    /// <summary>The classes the model predicts and how label-file ids become them.</summary>
    public required ClassMap Classes { get; init; }

    /// <summary>Sensor width × height of the recordings (<c>dataset.resolution_hw</c>).</summary>
    public required SensorSize Sensor { get; init; }

    /// <summary>
    /// <c>dataset.downsample_by_factor_2</c>: representations are halved with nearest-exact and labels scaled by 0.5
    /// (docs/DATA.md §2.6, §3.2).
    /// </summary>
    public bool DownsampleBy2 { get; init; }

    public TimeOrigin TimeOrigin { get; init; } = TimeOrigin.Stored;

    public RawLayout Raw { get; init; } = new();

    public LabelFilterRule LabelFilter { get; init; } = new();

    public LabelFrameRule Frames { get; init; } = new();

    /// <summary>Evaluation filter sizes at sensor resolution (halved with the input, docs/DATA.md §4.4).</summary>
    public int EvaluationMinDiag { get; init; }

    public int EvaluationMinSide { get; init; }

    /// <summary>Boxes at or before this time are not evaluated (the Prophesee protocol's first half second).</summary>
    public long EvaluationSkipUs { get; init; } = BoxFilter.HalfSecondUs;

    public IReadOnlyList<string> ClassNames => Classes.Names;

    /// <summary>The representation file name the original gives each case (docs/DATA.md §2.7).</summary>
    public string RepresentationFileName =>
        DownsampleBy2 ? "event_representations_ds2_nearest.h5" : "event_representations.h5";

    /// <summary>The evaluation's box filter for labels at full or (<paramref name="downsampledBy2"/>) half resolution.</summary>
    public BoxFilter EvaluationFilter(bool downsampledBy2) =>
        BoxFilter.AtSensorResolution(EvaluationMinDiag, EvaluationMinSide, downsampledBy2, EvaluationSkipUs);

    /// <summary>The evaluation's box filter at this dataset's own model resolution.</summary>
    public BoxFilter EvaluationFilter() => EvaluationFilter(DownsampleBy2);

    /// <summary>
    /// The description in the <c>dataset</c> section of a composed config. A wrong or missing value throws
    /// <see cref="ConfigException"/> naming its key.
    /// </summary>
    public static DatasetDescription FromConfig(ConfigNode config) => DatasetConfigReader.Read(config);

    /// <summary>
    /// The description of <c>configs/dataset/&lt;name&gt;.yaml</c> (with <c>dataset.*</c> <paramref name="overrides"/>),
    /// composed as a command composes it.
    /// </summary>
    public static DatasetDescription Load(string? configDir, string name, IReadOnlyList<string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ConfigNode cfg = ConfigComposer.Compose(ConfigLocator.Find(configDir), "val", [$"dataset={name}", .. overrides ?? []]);
        return FromConfig(cfg);
    }
}
