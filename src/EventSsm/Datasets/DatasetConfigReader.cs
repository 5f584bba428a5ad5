using EventSsm.Config;
using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// Reads a <see cref="DatasetDescription"/> from the <c>dataset</c> keys (docs/DATA.md §8.1). Every bad value is a
/// <see cref="ConfigException"/> that names its key; keys other than <c>dataset.classes</c> may be absent and then take
/// the defaults of <c>configs/dataset/base.yaml</c>.
/// </summary>
internal static class DatasetConfigReader
{
    private const string Root = "dataset.";

    public static DatasetDescription Read(ConfigNode config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string name = config.TryGet(Root + "name", out object? n) && n is string s ? s : "dataset";
        ClassMap classes = ReadClasses(config);
        int[] hw = config.GetIntList(Root + "resolution_hw");
        if (hw.Length != 2 || hw.Any(x => x <= 0))
        {
            throw new ConfigException($"config key 'dataset.resolution_hw' = [{string.Join(", ", hw)}], expected [height, width] > 0");
        }
        var description = new DatasetDescription
        {
            Name = name,
            Classes = classes,
            Sensor = new SensorSize(hw[1], hw[0]),
            DownsampleBy2 = config.GetBool(Root + "downsample_by_factor_2"),
            TimeOrigin = Optional(config, "time_origin", k => config.GetString(k)) switch
            {
                null or "stored" => TimeOrigin.Stored,
                "recording" => TimeOrigin.Recording,
                string other => throw new ConfigException($"config key 'dataset.time_origin' = {other}, expected stored or recording"),
            },
            Raw = ReadRaw(config),
            LabelFilter = ReadLabelFilter(config),
            Frames = ReadFrames(config),
            EvaluationMinDiag = NonNegativeInt(config, "evaluation.min_diag") ?? 0,
            EvaluationMinSide = NonNegativeInt(config, "evaluation.min_side") ?? 0,
            EvaluationSkipUs = NonNegative(config, "evaluation.skip_first_us") ?? Evaluation.BoxFilter.HalfSecondUs,
        };
        return description;
    }

    private static ClassMap ReadClasses(ConfigNode config)
    {
        const string classesKey = Root + "classes";
        if (!config.TryGet(classesKey, out object? raw) || raw is null or ConfigMissing)
        {
            throw new ConfigException($"config key '{classesKey}' is not set: list the class names, e.g. classes: [car, pedestrian]");
        }
        if (raw is not List<object?> list || list.Any(x => x is not string))
        {
            throw new ConfigException($"config key '{classesKey}' = {ConfigYaml.Inline(raw)}, expected a list of class names");
        }
        string[] names = [.. list.Cast<string>()];
        const string mapKey = Root + "label_map";
        try
        {
            if (!config.TryGet(mapKey, out object? map) || map is null)
            {
                return ClassMap.Identity(names);
            }
            if (map is not List<object?> targets || targets.Any(x => x is not (string or null)))
            {
                throw new ConfigException($"config key '{mapKey}' = {ConfigYaml.Inline(map)}, expected a list with, per class id of the label files, a class name or null");
            }
            return ClassMap.Create(names, [.. targets.Cast<string?>()]);
        }
        catch (ArgumentException e) when (e is not ConfigException)
        {
            throw new ConfigException($"config keys '{classesKey}' / '{mapKey}': {e.Message}", e);
        }
    }

    private static RawLayout ReadRaw(ConfigNode config)
    {
        var layout = new RawLayout
        {
            Kind = Optional(config, "raw.layout", k => config.GetString(k)) switch
            {
                null or "prophesee" => RawLayoutKind.Prophesee,
                "dsec" => RawLayoutKind.Dsec,
                "folder" => RawLayoutKind.Folder,
                string other => throw new ConfigException($"config key 'dataset.raw.layout' = {other}, expected prophesee, dsec or folder"),
            },
            SplitFolders = Optional(config, "raw.split_folders", k => StringList(config, k)) ?? [RawLayout.SplitPlaceholder],
            LabelsFolder = Optional(config, "raw.labels_folder", k => config.GetString(k)),
            SkipSequences = new HashSet<string>(Optional(config, "raw.skip_sequences", k => StringList(config, k)) ?? [], StringComparer.Ordinal),
        };
        try
        {
            layout.Validate();
        }
        catch (ArgumentException e) when (e is not ConfigException)
        {
            throw new ConfigException($"config key 'dataset.raw': {e.Message}", e);
        }
        return layout;
    }

    private static LabelFilterRule ReadLabelFilter(ConfigNode config)
    {
        var defaults = new LabelFilterRule();
        double? maxWidth = Optional(config, "labels.max_width_train", k => config.GetDouble(k));
        if (maxWidth is not null and (<= 0 or > 1 or double.NaN))
        {
            throw new ConfigException($"config key 'dataset.labels.max_width_train' = {maxWidth}, expected a fraction of the sensor width in (0, 1] or null");
        }
        return new LabelFilterRule
        {
            CropToSensor = Optional(config, "labels.crop_to_sensor", k => (bool?)config.GetBool(k)) ?? defaults.CropToSensor,
            MinDiag = NonNegativeDouble(config, "labels.min_diag") ?? 0,
            MinSide = NonNegativeDouble(config, "labels.min_side") ?? 0,
            MaxTrainWidthFraction = config.TryGet(Root + "labels.max_width_train", out _) ? maxWidth : defaults.MaxTrainWidthFraction,
        };
    }

    private static LabelFrameRule ReadFrames(ConfigNode config)
    {
        int[]? rates = Optional(config, "frames.rates_hz", k => config.GetIntList(k));
        long? steps = Optional(config, "frames.steps_per_period", k => (long?)config.GetInt64(k));
        var rule = new LabelFrameRule
        {
            FirstUs = NonNegative(config, "frames.first_us") ?? LabelFrameRule.ReferenceFirstUs,
            PeriodUs = Positive(config, "frames.period_us"),
            RatesHz = rates ?? [],
            SpacingUs = Positive(config, "frames.spacing_us") ?? LabelFrameRule.ReferenceSpacingUs,
            ToleranceUs = NonNegative(config, "frames.tolerance_us") ?? LabelFrameRule.ReferenceToleranceUs,
            StepsPerPeriod = steps is null ? null : steps is > 0 and <= 1000 ? (int)steps
                : throw new ConfigException($"config key 'dataset.frames.steps_per_period' = {steps}, expected a positive count or null"),
        };
        if (rule.RatesHz.Any(r => r <= 0))
        {
            throw new ConfigException($"config key 'dataset.frames.rates_hz' = [{string.Join(", ", rule.RatesHz)}], expected positive rates in Hz");
        }
        return rule;
    }

    /// <summary>The value at <c>dataset.&lt;key&gt;</c>, or null when the key is absent or null.</summary>
    private static T? Optional<T>(ConfigNode config, string key, Func<string, T> read)
    {
        string full = Root + key;
        return config.TryGet(full, out object? v) && v is not null ? read(full) : default;
    }

    private static string[] StringList(ConfigNode config, string key) => config.Get(key) switch
    {
        List<object?> list when list.All(x => x is string) => [.. list.Cast<string>()],
        var v => throw new ConfigException($"config key '{key}' = {ConfigYaml.Inline(v)}, expected a list of strings"),
    };

    private static long? NonNegative(ConfigNode config, string key)
    {
        long? v = Optional(config, key, k => (long?)config.GetInt64(k));
        return v is < 0 ? throw new ConfigException($"config key '{Root}{key}' = {v}, expected a value ≥ 0") : v;
    }

    private static long? Positive(ConfigNode config, string key)
    {
        long? v = Optional(config, key, k => (long?)config.GetInt64(k));
        return v is <= 0 ? throw new ConfigException($"config key '{Root}{key}' = {v}, expected a value > 0 or null") : v;
    }

    private static int? NonNegativeInt(ConfigNode config, string key)
    {
        long? v = NonNegative(config, key);
        return v is > int.MaxValue / 4 ? throw new ConfigException($"config key '{Root}{key}' = {v} is too large") : (int?)v;
    }

    private static double? NonNegativeDouble(ConfigNode config, string key)
    {
        double? v = Optional(config, key, k => (double?)config.GetDouble(k));
        return v is < 0 or double.NaN or double.PositiveInfinity
            ? throw new ConfigException($"config key '{Root}{key}' = {v}, expected a size ≥ 0 in pixels")
            : v;
    }
}
