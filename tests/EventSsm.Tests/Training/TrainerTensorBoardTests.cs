using System.Buffers.Binary;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Labels;
using EventSsm.Model;
using EventSsm.Rendering;
using EventSsm.Training;
using Tensorboard;

namespace EventSsm.Tests.Training;

/// <summary>What a training run shows in TensorBoard, read back from its event files (<see cref="TensorBoardEventFile"/>).</summary>
public sealed class TrainerTensorBoardTests
{
    [Fact]
    public void Training_LogsConfig_TrainAndValidationImages_AndPerClassPrCurves()
    {
        using TempDir tmp = Fixtures.TempDir();
        string data = Fixtures.Preprocessed.Out();
        ConfigNode cfg = TestConfigs.Micro("train",
            $"dataset.path={data}", "dataset.sequence_length=2", "batch_size.train=2", "batch_size.eval=2", "training.max_steps=4",
            "validation.val_check_interval=4", "model.postprocess.confidence_threshold=0.001",
            "logging.train.high_dim.every_n_steps=2", "logging.train.high_dim.n_samples=2",
            "logging.validation.high_dim.every_n_epochs=1", "logging.validation.high_dim.n_samples=3");
        ConfigModifier.Apply(cfg);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        DetectorCheckpoint.Load(model, Fixtures.DetectorMicro.Checkpoint); // a model that detects, so every class has a curve
        PreprocessedDataset val = PreprocessedDataset.Load(data, "val", DatasetKind.Gen1);
        var trainer = new Trainer(model, cfg, TrainerOptions.FromConfig(cfg) with { LogInterval = 2 }, tmp.Path,
            Validator.ForTraining(val, ValidationOptions.FromConfig(cfg)));

        trainer.Run();

        List<(long Step, Summary.Types.Value Value)> values = TensorBoardEventFile.Values(Path.Combine(tmp.Path, "tensorboard"));
        string config = values.Single(v => v.Value.Tag == "config").Value.Tensor.StringVal.Single().ToStringUtf8();
        Assert.Contains("    model:", config);
        Assert.Contains("embed_dim: 16", config);

        // Training images every 2 steps (2 samples each); validation images of the 3 fixed frames at the validation.
        Assert.Equal([(2L, "train/predictions_vs_labels/0"), (2L, "train/predictions_vs_labels/1"), (4L, "train/predictions_vs_labels/0"),
            (4L, "train/predictions_vs_labels/1"), (4L, "val/predictions_vs_labels/0"), (4L, "val/predictions_vs_labels/1"),
            (4L, "val/predictions_vs_labels/2")],
            values.Where(v => v.Value.Image is not null).Select(v => (v.Step, v.Value.Tag)));
        Summary.Types.Image image = values.First(v => v.Value.Tag == "val/predictions_vs_labels/0").Value.Image;
        // Predictions above labels (the original's W&B layout), 2× for Gen1, plus the legend bar.
        Assert.Equal((608, 2 * 480 + 2 + EventVideo.LegendHeight(2)), (image.Width, image.Height));
        Assert.Equal(3, Validator.FixedSamples(val, 3).Count);

        Assert.Equal(trainer.LastMetrics!.PerClassAP["car"], values.Single(v => v.Value.Tag == "val/AP_car").Value.SimpleValue, 1e-6);
        double ap50 = 0;
        foreach (string cls in DatasetInfo.ClassNames(DatasetKind.Gen1))
        {
            Summary.Types.Value pr = values.Single(v => v.Value.Tag == $"val/pr_curve/{cls}").Value;
            Assert.Equal("pr_curves", pr.Metadata.PluginData.PluginName);
            Assert.Equal([6L, 101L], pr.Tensor.TensorShape.Dim.Select(d => d.Size));
            byte[] raw = pr.Tensor.TensorContent.ToByteArray();
            float[] t = Enumerable.Range(0, 6 * 101).Select(i => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * i))).ToArray();
            float[] precision = t[(4 * 101)..(5 * 101)];
            float[] recall = t[(5 * 101)..];
            Assert.Equal(1f, recall[0]);
            Assert.Equal(0f, recall[^1]);
            Assert.All(precision, p => Assert.InRange(p, 0f, 1f));
            // COCO's precision is made monotone: it never falls as recall falls.
            Assert.All(Enumerable.Range(1, 100), i => Assert.True(precision[i] >= precision[i - 1] - 1e-6f));
            ap50 += precision.Average(p => (double)p) / 2;
        }
        // The curves are the AP50 curves: their mean precision, averaged over the classes, is COCO's AP50.
        Assert.True(trainer.LastMetrics.AP50 > 0);
        Assert.Equal(trainer.LastMetrics.AP50, ap50, 1e-6);
    }
}
