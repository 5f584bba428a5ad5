using EventSsm.Config;

namespace EventSsm.Tests.Cli;

/// <summary><c>eventssm config</c>: the resolved config of an override list, as the commands compose it.</summary>
public sealed class ConfigCommandTests
{
    private static readonly string s_configs = TestConfigs.Directory;

    [Fact]
    public void Train_PrintsTheComposedAndModifiedConfig()
    {
        string yaml = CliRunner.Run("config", "dataset=gen1", "+experiment/gen1=small.yaml", "model.backbone.embed_dim=16", "--config-dir", s_configs);
        ConfigNode cfg = ConfigNode.FromYaml(yaml);
        Assert.Equal("gen1", cfg.GetString("dataset.name"));
        Assert.Equal(16, cfg.GetInt("model.backbone.embed_dim"));
        // The original's dynamic changes: gen1's 240×304 padded to 256×320, partitions of 8×10, two classes.
        Assert.Equal([256, 320], cfg.GetIntList("model.backbone.in_res_hw"));
        Assert.Equal([8, 10], cfg.GetIntList("model.backbone.stage.attention.partition_size"));
        Assert.Equal(2, cfg.GetInt("model.head.num_classes"));
        Assert.False(cfg.Contains("use_test_set"));
    }

    [Fact]
    public void Val_IsTheValidationConfig_AndComposedSkipsTheChanges()
    {
        ConfigNode val = ConfigNode.FromYaml(CliRunner.Run("config", "val", "dataset=gen1", "+experiment/gen1=small.yaml", "use_test_set=1"));
        Assert.True(val.GetBool("use_test_set"));

        ConfigNode composed = ConfigNode.FromYaml(CliRunner.Run("config", "--composed", "dataset=gen1", "+experiment/gen1=small.yaml"));
        Assert.Equal("???", composed.Get("model.backbone.stage.attention.partition_size")?.ToString());
    }

    [Fact]
    public void BadOverride_IsOneLineOfBadInput()
    {
        string error = CliRunner.BadInput("config", "train", "dataset=gen1", "+experiment/gen1=nosuch.yaml");
        Assert.Contains("nosuch", error);
    }
}
