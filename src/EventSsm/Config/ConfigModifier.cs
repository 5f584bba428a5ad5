namespace EventSsm.Config;

/// <summary>
/// The original's <c>config/modifier.py::dynamically_modify_train_config</c> (docs/MODEL.md §1, docs/DATA.md
/// §3.1): pads the input size to a multiple of 32·partition_split_32, derives the attention partition size from it
/// and sets the head's class count from the dataset. The original accepts only gen1 and gen4 and counts 2 or 3
/// classes by name; we count <c>dataset.classes</c> (docs/DATA.md §8.1), which gives the same for those two.
/// </summary>
public static class ConfigModifier
{
    /// <summary>Applies the original's dynamic changes to <paramref name="config"/> in place.</summary>
    public static void Apply(ConfigNode config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int classes = ClassCount(config);
        string model = config.GetString("model.name");
        if (model != "rnndet")
        {
            throw new ConfigException($"config key 'model.name' = {model}: only rnndet is available");
        }
        string backbone = config.GetString("model.backbone.name");
        if (backbone != "MaxViTRNN")
        {
            throw new ConfigException($"config key 'model.backbone.name' = {backbone}: only MaxViTRNN is available");
        }
        int split = config.GetInt("model.backbone.partition_split_32");
        if (split is not (1 or 2 or 4))
        {
            throw new ConfigException($"config key 'model.backbone.partition_split_32' = {split}, expected 1, 2 or 4");
        }
        int[] hw = DataLoadingHw(config);
        int multiple = 32 * split;
        int[] inRes = hw.Select(x => (x + multiple - 1) / multiple * multiple).ToArray();
        int[] partition = inRes.Select(x => x / multiple).ToArray();
        for (int i = 0; i < 2; i++)
        {
            if (inRes[i] / 32 % partition[i] != 0)
            {
                throw new ConfigException($"input size {inRes[i]} gives partition size {partition[i]}, which does not divide {inRes[i] / 32}");
            }
        }
        config.Set("model.backbone.in_res_hw", inRes.Select(x => (object?)(long)x).ToList(), create: true);
        config.Set("model.backbone.stage.attention.partition_size", partition.Select(x => (object?)(long)x).ToList(), create: true);
        config.Set("model.head.num_classes", (long)classes, create: true);
    }

    private static int ClassCount(ConfigNode config)
    {
        if (!config.TryGet("dataset.classes", out object? value) || value is null or ConfigMissing)
        {
            throw new ConfigException("config key 'dataset.classes' is not set: list the class names, e.g. classes: [car, pedestrian]");
        }
        if (value is not List<object?> { Count: > 0 } list || list.Any(x => x is not string))
        {
            throw new ConfigException($"config key 'dataset.classes' = {ConfigYaml.Inline(value)}, expected a non-empty list of class names");
        }
        return list.Count;
    }

    /// <summary>
    /// <c>get_dataloading_hw</c>: the sensor size, halved (floor) when <c>downsample_by_factor_2</c>.
    /// The original looks the size up by dataset name (gen1 240×304, gen4 720×1280); we read
    /// <c>dataset.resolution_hw</c>, which the shipped configs set to those values, so other sizes can be configured.
    /// </summary>
    public static int[] DataLoadingHw(ConfigNode config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int[] hw = config.GetIntList("dataset.resolution_hw");
        if (hw.Length != 2 || hw.Any(x => x <= 0))
        {
            throw new ConfigException($"config key 'dataset.resolution_hw' = [{string.Join(", ", hw)}], expected [height, width] > 0");
        }
        return config.GetBool("dataset.downsample_by_factor_2") ? hw.Select(x => x / 2).ToArray() : hw;
    }
}
