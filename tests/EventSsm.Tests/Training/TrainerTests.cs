using EventSsm.Config;
using EventSsm.Model;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Tests.Training;

public sealed class TrainerTests
{
    private static ConfigNode MicroTrainConfig(params string[] extra)
    {
        string[] overrides =
        [
            .. TestConfigs.MicroGen1,
            $"dataset.path={Fixtures.Preprocessed.Out()}", "dataset.sequence_length=2", "batch_size.train=2",
            "training.learning_rate=0.002", .. extra,
        ];
        ConfigNode cfg = TestConfigs.Compose("train", overrides);
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    [Fact]
    public void MicroModel_LossFalls_OnThePreprocessedGoldenDataset()
    {
        using TempDir tmp = Fixtures.TempDir();
        // A long schedule stopped early keeps the lr near its peak for the whole test.
        ConfigNode cfg = MicroTrainConfig("training.max_steps=1000");
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        var trainer = new Trainer(model, cfg, TrainerOptions.FromConfig(cfg) with { LogInterval = 5, CheckpointInterval = 10 }, tmp.Path);
        trainer.Run(stopAfter: 25);
        Assert.Equal(25, trainer.Losses.Count);
        Assert.All(trainer.Losses, l => Assert.True(double.IsFinite(l)));
        double first = trainer.Losses.Take(5).Average();
        double last = trainer.Losses.TakeLast(5).Average();
        Assert.True(last < 0.9 * first, $"loss did not fall: first {first}, last {last}");
        Assert.True(File.Exists(trainer.LastCheckpoint));
        Assert.True(File.Exists(trainer.BestCheckpoint));
        Assert.True(File.ReadAllLines(Path.Combine(tmp.Path, "metrics.csv")).Length >= 5);
        Assert.True(File.Exists(Path.Combine(tmp.Path, "config.yaml")));
    }

    [Fact]
    public void ShortRunStartingAtThePeakLearningRate_StaysFinite()
    {
        // The demo's 20-step schedule with pct_start 0.05: step 0 is the end of the warm-up (a NaN lr before the fix,
        // which made every weight NaN after the first step and skipped every later one).
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = MicroTrainConfig("training.max_steps=20", "training.lr_scheduler.pct_start=0.05");
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        var trainer = new Trainer(model, cfg, TrainerOptions.FromConfig(cfg) with { Seed = 1 }, tmp.Path);
        trainer.Run(stopAfter: 3);
        Assert.All(trainer.Losses, l => Assert.True(double.IsFinite(l), $"non-finite loss in {string.Join(", ", trainer.Losses)}"));
        Assert.All(model.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void ResumeFromAMidRunCheckpoint_GivesTheSameLossesAsAnUninterruptedRun()
    {
        using TempDir a = Fixtures.TempDir();
        using TempDir b = Fixtures.TempDir();
        ConfigNode cfg = MicroTrainConfig("training.max_steps=100");
        TrainerOptions o = TrainerOptions.FromConfig(cfg) with { CheckpointInterval = 2, Seed = 5 };
        using var modelA = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Dictionary<string, Tensor> init = modelA.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var straight = new Trainer(modelA, cfg, o, a.Path);
        straight.Run(stopAfter: 4);

        using var modelB = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        modelB.load_state_dict(init);
        new Trainer(modelB, cfg, o, b.Path).Run(stopAfter: 2);
        using var modelC = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        var resumed = new Trainer(modelC, cfg, o, b.Path);
        resumed.Run(resume: true, stopAfter: 2);

        Assert.Equal(straight.Losses.Skip(2), resumed.Losses);
    }

    [Fact]
    public void BackgroundLoaderWorkers_GiveTheLossesOfSynchronousLoading()
    {
        using TempDir a = Fixtures.TempDir();
        using TempDir b = Fixtures.TempDir();
        ConfigNode cfg = MicroTrainConfig("training.max_steps=100", "hardware.num_workers.train=0");
        TrainerOptions sync = TrainerOptions.FromConfig(cfg) with { Seed = 2 };
        Assert.Equal(0, sync.LoaderWorkers);
        using var modelA = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Dictionary<string, Tensor> init = modelA.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var synchronous = new Trainer(modelA, cfg, sync, a.Path);
        synchronous.Run(stopAfter: 3);

        using var modelB = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        modelB.load_state_dict(init);
        var prefetched = new Trainer(modelB, cfg, sync with { LoaderWorkers = 2, PrefetchFactor = 1 }, b.Path);
        prefetched.Run(stopAfter: 3);

        Assert.Equal(synchronous.Losses, prefetched.Losses);
    }

    [Theory]
    [InlineData("true", new[] { 1, 2, 3, 4 })]
    [InlineData("[1]", new[] { 1 })]
    public void RecomputedAttention_FromTheConfig_GivesTheLossesOfAPlainRun(string value, int[] stages)
    {
        using TempDir a = Fixtures.TempDir();
        using TempDir b = Fixtures.TempDir();
        ConfigNode plainConfig = MicroTrainConfig("training.max_steps=100");
        ConfigNode recomputeConfig = MicroTrainConfig("training.max_steps=100", $"training.recompute_attention={value}");
        TrainerOptions plain = TrainerOptions.FromConfig(plainConfig) with { Seed = 3 };
        TrainerOptions recompute = TrainerOptions.FromConfig(recomputeConfig) with { Seed = 3 };
        Assert.Empty(plain.RecomputeAttention);
        Assert.Equal(stages, recompute.RecomputeAttention);
        using var modelA = new YoloXDetector(DetectorOptions.FromConfig(plainConfig));
        Dictionary<string, Tensor> init = modelA.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var plainRun = new Trainer(modelA, plainConfig, plain, a.Path);
        plainRun.Run(stopAfter: 3);

        using var modelB = new YoloXDetector(DetectorOptions.FromConfig(recomputeConfig));
        modelB.load_state_dict(init);
        var recomputedRun = new Trainer(modelB, recomputeConfig, recompute, b.Path);
        recomputedRun.Run(stopAfter: 3);

        Assert.Equal(stages, Enumerable.Range(1, 4).Where(n => modelB.Backbone.Stages[n - 1].RecomputeAttention));
        Assert.All(modelA.Backbone.Stages, s => Assert.False(s.RecomputeAttention));
        // The same kernels on the same values in the same order: bit-identical.
        Assert.Equal(plainRun.Losses, recomputedRun.Losses);
    }

    [Theory]
    [InlineData("sometimes", "must be true, false or a list of stage numbers 1..4")]
    [InlineData("[0]", "stage 0 is not one of 1..4")]
    [InlineData("[1,5]", "stage 5 is not one of 1..4")]
    [InlineData("[first]", "a list of ints")]
    public void RecomputeAttention_ThatIsNotABoolOrStages_IsAConfigError(string value, string expected)
    {
        ConfigNode cfg = MicroTrainConfig($"training.recompute_attention={value}");
        var e = Assert.Throws<ConfigException>(() => TrainerOptions.FromConfig(cfg));
        Assert.Contains("training.recompute_attention", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("false")]
    [InlineData("[]")]
    public void RecomputeAttention_OffValues_RecomputeNoStage(string value) =>
        Assert.Empty(TrainerOptions.RecomputeAttentionFrom(MicroTrainConfig($"training.recompute_attention={value}")));
}
