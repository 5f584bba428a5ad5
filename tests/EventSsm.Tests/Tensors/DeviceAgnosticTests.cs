using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Detections;
using EventSsm.Events;
using EventSsm.Evaluation;
using EventSsm.Inference;
using EventSsm.Model;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Streaming;
using EventSsm.Tensors;
using EventSsm.Tests.Model;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Tests.Tensors;

/// <summary>Tests that change torch's process-wide default device; they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultDeviceCollection
{
    public const string Name = "torch default device";
}

/// <summary>
/// The model, training, validation and streaming paths create every tensor on the device of the data they work on
/// (README "Devices"). There is no GPU here; the stand-in is a <b>poisoned default device</b>: the model and data sit on
/// the CPU, the device parameter says CPU, and torch's default device is set to <c>meta</c> (shapes only, no data). A
/// tensor made without an explicit device — a <c>zeros(n)</c>, a <c>tensor(array)</c> index, a mask — lands on meta, and
/// the first operation that mixes it with the CPU tensors, or reads its values, throws (inside the loss that shows as
/// skipped, non-finite steps). Train steps with the loss, SimOTA, the H2 penalty and the recurrent states, saving and
/// resuming a training checkpoint (optimizer and stream states), a validation with the frequency mask, postprocess and
/// metric, and streaming all run this way.
/// Not caught: a tensor put on the CPU on purpose (<c>device: CPU</c>, <c>.cpu()</c>) in the wrong place, and TorchSharp
/// factories that ignore the default device (<c>from_array</c>). Running the model itself on meta would catch those, but
/// libtorch's C++ meta backend has no convolution, normalisation or complex kernels (PyTorch registers them in Python).
/// </summary>
[Collection(DefaultDeviceCollection.Name)]
public sealed class DeviceAgnosticTests
{
    private static readonly Device s_meta = new(DeviceType.META);

    [Fact]
    public void PoisonedDefault_IsWhatTheTestsRelyOn()
    {
        using (new DefaultDevice(s_meta))
        {
            using Tensor accidental = zeros(3);
            Assert.Equal(DeviceType.META, accidental.device_type);
            using Tensor host = zeros(3, device: CPU);
            Assert.ThrowsAny<Exception>(() => host.add(accidental, Scalars.One).Dispose());
        }
        using Tensor after = zeros(1);
        Assert.Equal(DeviceType.CPU, after.device_type);
    }

    [Fact]
    public void TrainStepsAndValidation_OnTheDeviceParameter_CreateNothingOnTheDefaultDevice()
    {
        using TempDir tmp = Fixtures.TempDir();
        string[] overrides =
        [
            .. TestConfigs.MicroGen1, $"dataset.path={Fixtures.Preprocessed.Out()}", "dataset.sequence_length=2", "batch_size.train=2",
            "batch_size.eval=2", "training.max_steps=100", "model.backbone.s5.state_mode=carry", "hardware.num_workers.train=0",
            "hardware.num_workers.eval=0", "model.postprocess.confidence_threshold=0.001", "model.backbone.s5.mask=on",
            "model.backbone.s5.h2_weight=0.001",
        ];
        ConfigNode cfg = TestConfigs.Compose("train", overrides);
        ConfigModifier.Apply(cfg);
        Device device = CPU;
        manual_seed(11);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        model.to(device);
        ValidationOptions valOptions = ValidationOptions.FromConfig(cfg.Clone(), device) with { SequenceLength = 10 };
        TrainerOptions trainerOptions = TrainerOptions.FromConfig(cfg) with { CheckpointInterval = 1000 };
        // Validation on the shorter val sequence (3 s) alone keeps the test at seconds.
        string valSequence = Fixtures.Preprocessed.Out("val", "99-01-02_11-00-00_0_3000000");
        Directory.CreateDirectory(tmp.File("val_only/val"));
        Directory.CreateSymbolicLink(tmp.File("val_only/val/" + Path.GetFileName(valSequence)), valSequence);
        PreprocessedDataset val = PreprocessedDataset.Load(tmp.File("val_only"), "val", trainerOptions.Dataset, trainerOptions.RepresentationName);
        var trainer = new Trainer(model, cfg, trainerOptions, tmp.Path);

        DetectionMetrics metrics;
        var resumed = new Trainer(model, cfg, trainerOptions, tmp.Path);
        using (new DefaultDevice(s_meta))
        {
            // The last step writes the training checkpoint (AdamW state, stream states); the resumed run reads it back.
            trainer.Run(stopAfter: 2);
            resumed.Run(resume: true, stopAfter: 1);
            metrics = Validator.Validate(model, val, valOptions);
        }
        // A mixed-device error inside the loss would show as a skipped (NaN) step.
        Assert.Equal(2, trainer.Losses.Count);
        Assert.Single(resumed.Losses);
        Assert.All(trainer.Losses.Concat(resumed.Losses), l => Assert.True(double.IsFinite(l)));
        Assert.Equal(3, TrainingCheckpoint.ReadStep(trainer.LastCheckpoint));
        Assert.True(double.IsFinite(metrics.AP));
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
    }

    [Fact]
    public void Streaming_OnTheDeviceParameter_CreatesNothingOnTheDefaultDeviceAndDetectsTheSame()
    {
        string[] overrides = [.. TestConfigs.MicroGen1, "model.postprocess.confidence_threshold=0.001"];
        EventArray all = DatFile.ReadAll(Fixtures.Events.SynthDat);
        EventArray events = all.Slice(0, all.UpperBound(220_000));
        using LoadedDetector detector = LoadedDetector.Load(Fixtures.DetectorMicro.Checkpoint, overrides, TestConfigs.Directory, CPU);

        List<WindowDetections> Run(bool poisoned)
        {
            using var streaming = new StreamingDetector(new TorchDetectorBackend(detector.Model, detector.Config), new StreamingOptions(), ownsBackend: true);
            using (poisoned ? new DefaultDevice(s_meta) : null)
            {
                return [.. streaming.Push(events), .. streaming.Flush()];
            }
        }

        List<WindowDetections> expected = Run(poisoned: false);
        List<WindowDetections> actual = Run(poisoned: true);
        Assert.Equal(5, actual.Count);
        Assert.True(actual.Sum(w => w.Boxes.Length) > 0);
        Assert.Equal(expected.Select(w => w.Boxes.Length), actual.Select(w => w.Boxes.Length));
        Assert.Equal(expected.SelectMany(w => w.Boxes), actual.SelectMany(w => w.Boxes));
    }

    /// <summary>Sets torch's default device for a block and restores the CPU after it.</summary>
    private sealed class DefaultDevice : IDisposable
    {
        public DefaultDevice(Device device) => set_default_device(device);

        public void Dispose() => set_default_device(CPU);
    }
}
