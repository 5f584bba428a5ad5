using EventSsm.Config;
using EventSsm.Model;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Tests.Training;

/// <summary>The H2 term of the training loss (model.backbone.s5.h2_weight, docs/FREQUENCY.md).</summary>
public sealed class H2LossTrainingTests
{
    private static ConfigNode Config(params string[] extra)
    {
        string[] overrides =
        [
            .. TestConfigs.MicroGen1,
            $"dataset.path={Fixtures.Preprocessed.Out()}", "dataset.sequence_length=2", "batch_size.train=2",
            "training.max_steps=100", .. extra,
        ];
        ConfigNode cfg = TestConfigs.Compose("train", overrides);
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    private static (Trainer Trainer, Dictionary<string, Tensor> After) Train(ConfigNode cfg, Dictionary<string, Tensor> init, string dir, int steps)
    {
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        model.load_state_dict(init);
        var trainer = new Trainer(model, cfg, TrainerOptions.FromConfig(cfg) with { LogInterval = 1, Seed = 3, CheckpointInterval = 1000 }, dir);
        trainer.Run(stopAfter: steps);
        return (trainer, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone()));
    }

    [Fact]
    public void WeightZero_IsBitIdentical_AndAPositiveWeightAddsTheLoggedH2Term()
    {
        using TempDir a = Fixtures.TempDir();
        using TempDir b = Fixtures.TempDir();
        using TempDir c = Fixtures.TempDir();
        ConfigNode plain = Config();
        // A config without the frequency keys at all (as embedded in older checkpoints).
        ConfigNode legacy = ConfigNode.FromYaml(string.Join('\n', plain.ToYaml().Split('\n')
            .Where(l => !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+(train_hz|mask|mask_bandlimit|h2_weight|h2_bandlimit):"))));
        Assert.False(legacy.Contains("model.backbone.s5.h2_weight"));
        Dictionary<string, Tensor> init;
        using (var m = new YoloXDetector(DetectorOptions.FromConfig(plain)))
        {
            init = m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        }

        (Trainer zero, Dictionary<string, Tensor> afterZero) = Train(plain, init, a.Path, 1);
        (Trainer old, Dictionary<string, Tensor> afterOld) = Train(legacy, init, b.Path, 1);
        Assert.Equal(old.Losses, zero.Losses);
        Assert.All(afterOld, kv => Assert.True(kv.Value.eq(afterZero[kv.Key]).all().item<bool>(), $"{kv.Key} differs"));
        Assert.Equal(0.0, zero.LastH2Loss);
        Assert.DoesNotContain("train/loss_h2", File.ReadAllText(Path.Combine(a.Path, "metrics.csv")));

        (Trainer h2, _) = Train(Config("model.backbone.s5.h2_weight=0.01"), init, c.Path, 1);
        Assert.True(h2.LastH2Loss > 0 && double.IsFinite(h2.LastH2Loss));
        // Same weights and batch at step 1: the objective is the YOLOX loss plus the weighted H2 term.
        Assert.Equal(zero.Losses[0] + h2.LastH2Loss, h2.Losses[0], 1e-4 * Math.Abs(h2.Losses[0]));
        Assert.Contains("train/loss_h2", File.ReadAllText(Path.Combine(c.Path, "metrics.csv")));
    }
}
