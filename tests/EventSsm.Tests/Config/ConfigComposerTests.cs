using System.Text.Json;
using EventSsm.Checkpoints;
using EventSsm.Config;

namespace EventSsm.Tests.Config;

public sealed class ConfigComposerTests
{
    private static string ConfigDir => TestConfigs.Directory;

    private static ConfigNode Resolve(params string[] overrides)
    {
        ConfigNode cfg = ConfigComposer.Compose(ConfigDir, "train", overrides);
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    [Theory]
    [InlineData("small", 48, 24, 0.33)]
    [InlineData("base", 64, 32, 0.67)]
    [InlineData("tiny", 32, 32, 0.33)]
    public void Gen1Experiment_GivesSpecValues(string size, int embed, int dimHead, double depth)
    {
        ConfigNode cfg = Resolve("dataset=gen1", $"+experiment/gen1={size}.yaml");
        Assert.Equal(embed, cfg.GetInt("model.backbone.embed_dim"));
        Assert.Equal(dimHead, cfg.GetInt("model.backbone.stage.attention.dim_head"));
        Assert.Equal(depth, cfg.GetDouble("model.fpn.depth"));
        Assert.Equal([1, 2, 4, 8], cfg.GetIntList("model.backbone.dim_multiplier"));
        Assert.Equal(1, cfg.GetInt("model.backbone.partition_split_32"));
        Assert.Equal([256, 320], cfg.GetIntList("model.backbone.in_res_hw"));
        Assert.Equal([8, 10], cfg.GetIntList("model.backbone.stage.attention.partition_size"));
        Assert.Equal(2, cfg.GetInt("model.head.num_classes"));
        Assert.Equal(21, cfg.GetInt("dataset.sequence_length"));
        Assert.Equal("MaxViTRNN", cfg.GetString("model.backbone.name"));
        Assert.Equal("rnndet", cfg.GetString("model.name"));
        // Experiment values win over train.yaml's, and the interpolation follows max_steps.
        Assert.Equal(32, cfg.GetInt("training.precision"));
        Assert.Equal(20, cfg.GetInt("training.lr_scheduler.div_factor"));
        Assert.Equal(400000, cfg.GetInt("training.lr_scheduler.total_steps"));
        Assert.Equal(0.0002, cfg.GetDouble("training.learning_rate"));
        Assert.Equal(1e-5, cfg.GetDouble("model.backbone.stage.attention.ls_init_value"));
        Assert.Equal("reference", cfg.GetString("model.backbone.s5.state_mode"));
        Assert.Equal(1.0, cfg.GetDouble("model.backbone.s5.step_scale"));
        Assert.Equal(0.5, cfg.GetDouble("dataset.data_augmentation.random.prob_hflip"));
    }

    [Fact]
    public void Gen4Experiment_PadsDownsampledInput()
    {
        ConfigNode cfg = Resolve("dataset=gen4", "+experiment/gen4=small.yaml");
        Assert.Equal(2, cfg.GetInt("model.backbone.partition_split_32"));
        Assert.Equal([360, 640], ConfigModifier.DataLoadingHw(cfg));
        Assert.Equal([384, 640], cfg.GetIntList("model.backbone.in_res_hw"));
        Assert.Equal([6, 10], cfg.GetIntList("model.backbone.stage.attention.partition_size"));
        Assert.Equal(3, cfg.GetInt("model.head.num_classes"));
        Assert.Equal(10, cfg.GetInt("dataset.sequence_length"));
        Assert.Equal(12, cfg.GetInt("batch_size.train"));
        Assert.Equal(0.0002449489742783178, cfg.GetDouble("training.learning_rate"));
    }

    [Fact]
    public void MicroOverrides_ReproduceGoldenModelConfig()
    {
        ConfigNode cfg = Resolve(
            [.. TestConfigs.MicroGen1, "dataset.resolution_hw=[128,128]", "model.postprocess.confidence_threshold=0.001"]);
        using JsonDocument golden = JsonDocument.Parse(File.ReadAllText(Fixtures.DetectorMicro.Config));
        ConfigNode expected = ConfigNode.FromJson(golden.RootElement.GetProperty("model_config").GetRawText());
        ConfigNode actual = cfg.GetNode("model");
        int compared = 0;
        foreach (string key in expected.LeafKeys())
        {
            Assert.True(actual.Contains(key), $"missing {key}");
            object? e = expected.Get(key);
            object? a = actual.Get(key);
            Assert.True(ValuesEqual(e, a), $"{key}: expected {Show(e)}, got {Show(a)}");
            compared++;
        }
        Assert.True(compared >= 40, $"only {compared} keys compared");
    }

    private static bool ValuesEqual(object? e, object? a) => (e, a) switch
    {
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => ValuesEqual(p.First, p.Second)),
        _ => Equals(e, a),
    };

    private static string Show(object? v) => v is List<object?> l ? $"[{string.Join(",", l)}]" : $"{v} ({v?.GetType().Name})";

    [Fact]
    public void ToYaml_ReadsBackToTheSameTree()
    {
        ConfigNode cfg = Resolve("dataset=gen4", "+experiment/gen4=base.yaml");
        ConfigNode back = ConfigNode.FromYaml(cfg.ToYaml());
        Assert.Equal(cfg.ToJson(), back.ToJson());
        Assert.Equal(cfg.ToJson(), ConfigNode.FromJson(cfg.ToJson()).ToJson());
    }

    [Fact]
    public void UnknownKey_NamesItAndSuggests()
    {
        ConfigException e = Assert.Throws<ConfigException>(() => Resolve("dataset=gen1", "+experiment/gen1=small", "model.backbone.embed_dims=16"));
        Assert.Contains("'model.backbone.embed_dims'", e.Message);
        Assert.Contains("'model.backbone.embed_dim'", e.Message);
    }

    [Fact]
    public void PlusAddsNewKey_AndRefusesExistingOne()
    {
        ConfigNode cfg = Resolve("dataset=gen1", "+experiment/gen1=small", "+model.extra.flag=true");
        Assert.True(cfg.GetBool("model.extra.flag"));
        ConfigException e = Assert.Throws<ConfigException>(() => Resolve("dataset=gen1", "+model.name=x"));
        Assert.Contains("already exists", e.Message);
        ConfigNode forced = Resolve("dataset=gen1", "+experiment/gen1=small", "++model.fpn.depth=1");
        Assert.Equal(1, forced.GetInt("model.fpn.depth"));
    }

    [Theory]
    [InlineData("model.backbone.embed_dim=abc", "expected int")]
    [InlineData("model.backbone.embed_dim=1.5", "expected int")]
    [InlineData("dataset.downsample_by_factor_2=3", "expected bool")]
    [InlineData("dataset.resolution_hw=5", "expected list")]
    public void BadValue_NamesKeyValueAndType(string over, string expected)
    {
        ConfigException e = Assert.Throws<ConfigException>(() => Resolve("dataset=gen1", "+experiment/gen1=small", over));
        Assert.Contains(over[..over.IndexOf('=')], e.Message);
        Assert.Contains(over[(over.IndexOf('=') + 1)..], e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Override_TypesValues()
    {
        ConfigNode cfg = Resolve("dataset=gen1", "+experiment/gen1=small", "model.fpn.depth=1", "dataset.name=gen1",
            "validation.val_check_interval=null", "model.backbone.stage.attention.ls_init_value=1e-6", "training.precision=16");
        Assert.Equal(1.0, Assert.IsType<double>(cfg.Get("model.fpn.depth")));
        Assert.Null(cfg.Get("validation.val_check_interval"));
        Assert.Equal(1e-6, cfg.GetDouble("model.backbone.stage.attention.ls_init_value"));
        Assert.Equal(16, cfg.GetInt("training.precision"));
    }

    [Fact]
    public void MissingDatasetChoice_AsksForIt()
    {
        ConfigException e = Assert.Throws<ConfigException>(() => ConfigComposer.Compose(ConfigDir, "train", []));
        Assert.Contains("dataset=", e.Message);
        Assert.Contains("gen1", e.Message);
    }

    [Fact]
    public void UnknownGroupOption_ListsAvailable()
    {
        ConfigException e = Assert.Throws<ConfigException>(() => ConfigComposer.Compose(ConfigDir, "train", ["dataset=gen2"]));
        Assert.Contains("gen2", e.Message);
        Assert.Contains("gen1, gen4", e.Message);
    }

    [Fact]
    public void Getters_ReportMissingMandatoryAndWrongType()
    {
        ConfigNode cfg = ConfigComposer.Compose(ConfigDir, "train", ["dataset=gen1"]);
        ConfigException missing = Assert.Throws<ConfigException>(() => cfg.GetString("dataset.path"));
        Assert.Contains("???", missing.Message);
        ConfigException wrong = Assert.Throws<ConfigException>(() => cfg.GetInt("dataset.name"));
        Assert.Contains("'dataset.name' = gen1 (string), expected an int", wrong.Message);
    }

    [Fact]
    public void ValConfig_TakesCheckpointOverride()
    {
        ConfigNode cfg = ConfigComposer.Compose(ConfigDir, "val", ["dataset=gen1", "checkpoint=/tmp/x.ckpt", "+experiment/gen1=base"]);
        ConfigModifier.Apply(cfg);
        Assert.Equal("/tmp/x.ckpt", cfg.GetString("checkpoint"));
        Assert.Equal(64, cfg.GetInt("model.backbone.embed_dim"));
        Assert.Equal(8, cfg.GetInt("batch_size.eval"));
    }

    [Fact]
    public void ResolvedConfig_TravelsInSafetensorsMetadata()
    {
        ConfigNode cfg = Resolve("dataset=gen1", "+experiment/gen1=small");
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("w.safetensors");
        var tensors = new Dictionary<string, TorchSharp.torch.Tensor> { ["x"] = TorchSharp.torch.zeros(2) };
        EventSsm.Checkpoints.SafetensorsFile.Write(path, tensors,
            new Dictionary<string, string> { [EventSsm.Checkpoints.SafetensorsFile.ConfigMetadataKey] = cfg.ToJson() });
        Dictionary<string, string> meta = EventSsm.Checkpoints.SafetensorsFile.ReadMetadata(path);
        ConfigNode back = ConfigNode.FromJson(meta[EventSsm.Checkpoints.SafetensorsFile.ConfigMetadataKey]);
        Assert.Equal([8, 10], back.GetIntList("model.backbone.stage.attention.partition_size"));
        Assert.Equal(cfg.ToYaml(), back.ToYaml());
    }
}
