using EventSsm.Config;
using EventSsm.Model;
using EventSsm.Training;

namespace EventSsm.Tests.Training;

/// <summary>Training an lstm backbone: finite losses, and the stream (h, c) states survive a checkpoint resume.</summary>
public sealed class LstmTrainingTests
{
    [Fact]
    public void LstmMicroModel_Trains_AndResumesWithItsStreamStates()
    {
        using TempDir a = Fixtures.TempDir();
        using TempDir b = Fixtures.TempDir();
        ConfigNode cfg = TestConfigs.Micro("train",
        [
            $"dataset.path={Fixtures.Preprocessed.Out()}", "dataset.sequence_length=2", "batch_size.train=2",
            "training.learning_rate=0.002", "training.max_steps=100", "model.backbone.recurrent=lstm",
        ]);
        ConfigModifier.Apply(cfg);
        TrainerOptions o = TrainerOptions.FromConfig(cfg) with { CheckpointInterval = 2, Seed = 5 };
        using var modelA = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        Dictionary<string, TorchSharp.torch.Tensor> init = modelA.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var straight = new Trainer(modelA, cfg, o, a.Path);
        straight.Run(stopAfter: 4);
        Assert.Equal(4, straight.Losses.Count);
        Assert.All(straight.Losses, l => Assert.True(double.IsFinite(l)));

        using var modelB = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        modelB.load_state_dict(init);
        new Trainer(modelB, cfg, o, b.Path).Run(stopAfter: 2);
        using var modelC = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        var resumed = new Trainer(modelC, cfg, o, b.Path);
        resumed.Run(resume: true, stopAfter: 2);

        // The stream slots continue from the checkpointed (h, c); a lost or zeroed state would change the losses.
        Assert.Equal(straight.Losses.Skip(2), resumed.Losses);
    }
}
