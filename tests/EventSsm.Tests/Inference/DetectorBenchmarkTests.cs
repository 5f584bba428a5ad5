using EventSsm.Inference;
using EventSsm.Model;

namespace EventSsm.Tests.Inference;

public sealed class DetectorBenchmarkTests
{
    [Fact]
    public void CreateModel_AppliesTrailingConfigOverrides_AfterTheExperiment()
    {
        string configs = Path.Combine(AppContext.BaseDirectory, "configs");
        using YoloXDetector small = DetectorBenchmark.CreateModel(configs, "small", 256, 320);
        using YoloXDetector micro = DetectorBenchmark.CreateModel(configs, "small", 256, 320,
            ["model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8"]);
        Assert.Equal(16, micro.Backbone.Options.EmbedDim);
        Assert.Equal(8, micro.Backbone.Options.DimHead);
        Assert.NotEqual(small.Backbone.Options.EmbedDim, micro.Backbone.Options.EmbedDim);
    }
}
