using System.Text.Json;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Labels;

namespace EventSsm.Tests.Cli;

/// <summary>
/// The built-in eTraM, DSEC-Det and own-recordings datasets end to end through the command line, on the tiny raw
/// datasets of tests/fixtures/datasets: preprocess → train two steps of the micro model → validate → predict the test
/// split → evaluate, with the dataset's class names everywhere. Only train and test are preprocessed, so training
/// skips its own validation and <c>validate</c> scores the test split (use_test_set=1). The model commands run with
/// <c>--threads 0</c>, which leaves torch's process-wide thread count alone while other test classes run models.
/// </summary>
public sealed class OwnDatasetTests
{
    /// <summary>The micro S5-ViT, two-step training, one loader thread: seconds on two cores.</summary>
    private static readonly string[] s_micro =
    [
        "model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8", "dataset.sequence_length=2",
        "batch_size.train=2", "batch_size.eval=1", "hardware.num_workers.train=0", "hardware.num_workers.eval=0",
    ];

    private static readonly string[] s_training = ["training.max_steps=2", "training.checkpoint_interval=2"];

    [Fact]
    public void Etram_ThreeClasses_FromEitherLabelSet_EndToEnd()
    {
        using TempDir tmp = Fixtures.TempDir();
        string pre = tmp.File("pre");
        string output = CliRunner.Run("preprocess", Fixtures.Datasets.Etram, pre, "--dataset", "etram", "--workers", "2", "--splits", "train,test");
        // train_h5_1 and train_h5_2 are both the train split.
        Assert.Contains("3 written", output);
        Assert.True(Directory.Exists(Path.Combine(pre, "train", "train_day_0001")));
        Assert.True(Directory.Exists(Path.Combine(pre, "train", "train_night_0002")));
        Assert.True(File.Exists(Path.Combine(pre, "test", "test_night_0004", "event_representations_v2", PreprocessedSequence.DefaultRepresentationName,
            "event_representations_ds2_nearest.h5")));

        // The 8-class files mapped to 3 classes give exactly the labels of the 3-class files.
        string pre8 = tmp.File("pre8");
        CliRunner.Run("preprocess", Fixtures.Datasets.Etram, pre8, "--dataset", "etram", "--workers", "2", "--splits", "test",
            "dataset.raw.labels_folder=class annotations/eight_class_annotations_{split}");
        string labels = Path.Combine("test", "test_night_0004", "labels_v2", "labels.npz");
        Assert.Equal(File.ReadAllBytes(Path.Combine(pre, labels)), File.ReadAllBytes(Path.Combine(pre8, labels)));

        TrainValidatePredictEvaluate(tmp, "etram", pre, [], Path.Combine(Fixtures.Datasets.Etram, "test_h5_1"),
            Path.Combine(Fixtures.Datasets.Etram, "test_h5_1", "test_night_0004_bbox.npy"), ["pedestrian", "vehicle", "micromobility"]);
    }

    [Fact]
    public void Etram8_ReadsTheEightClassFolder()
    {
        using TempDir tmp = Fixtures.TempDir();
        string pre = tmp.File("pre");
        CliRunner.Run("preprocess", Fixtures.Datasets.Etram, pre, "--dataset", "etram8", "--workers", "2", "--splits", "train");
        DatasetDescription etram8 = TestDatasets.Named("etram8");
        PreprocessedDataset train = PreprocessedDataset.Load(pre, "train", etram8);
        uint[] ids = [.. train.Sequences.SelectMany(s => s.Labels).Select(b => b.ClassId).Distinct().Order()];
        // The fixture's train sequences hold 8-class ids 0, 1, 2, 3 and 5 (a 3-class file has only 0–2).
        Assert.Contains(ids, id => id > 2);
        Assert.All(ids, id => Assert.InRange(id, 0u, 7u));
    }

    [Fact]
    public void Dsec_SequenceFolders_AbsoluteTimes_EndToEnd()
    {
        using TempDir tmp = Fixtures.TempDir();
        string pre = tmp.File("pre");
        string output = CliRunner.Run("preprocess", Fixtures.Datasets.Dsec, pre, "--dataset", "dsec", "--workers", "2", "--splits", "train");
        Assert.Contains("1 written", output);

        // Times count from t_offset (docs/DATA.md §8.5): the 20 Hz labels at 50 ms, 100 ms, … become frames 100 ms
        // apart from 100 ms on, the windows before the first frame start near 0.
        PreprocessedSequence seq = PreprocessedDataset.Load(pre, "train", TestDatasets.Named("dsec")).Sequences.Single();
        Assert.Equal("zurich_city_00_a", seq.Name);
        long[] expectedFrames = [.. Enumerable.Range(1, 9).Select(k => k * 100_000L)];
        Assert.Equal(expectedFrames.Length, seq.FrameTimestamps.Length);
        Assert.All(seq.FrameTimestamps.Zip(expectedFrames), p => Assert.InRange(p.First - p.Second, -5, 5));
        Assert.Equal(seq.FrameTimestamps[0] - 50_000, seq.ReprTimestamps[0]);
        Assert.True(seq.ReprTimestamps.Zip(seq.ReprTimestamps.Skip(1)).All(p => p.Second - p.First is >= 49_990 and <= 50_010));

        // The model trains on the ×2 downsampled data (input 256×320 instead of 512×640) to keep the test short.
        string preDs2 = tmp.File("pre_ds2");
        CliRunner.Run("preprocess", Fixtures.Datasets.Dsec, preDs2, "--dataset", "dsec", "--workers", "2", "--splits", "train,test",
            "dataset.downsample_by_factor_2=true");
        // render names and colours the boxes by the dataset's classes: truck (4) and motorcycle (6) are on the test labels.
        string test = Path.Combine(Fixtures.Datasets.Dsec, "test", "thun_01_a");
        string gif = tmp.File("thun.gif");
        CliRunner.Run("render", DsecDetLabels.EventsPath(test), "--labels", DsecDetLabels.TracksPath(test), "--dataset", "dsec",
            "--step-ms", "200", "--max-frames", "3", "--out", gif);
        byte[] frame = Rendering.GifTestDecoder.Parse(File.ReadAllBytes(gif)).DecodeFrameRgb(2);
        EventSsm.Rendering.ClassStyle style = EventSsm.Rendering.ClassStyle.ForNames(DsecDetLabels.ClassNames);
        foreach (uint id in new uint[] { 4, 6 })
        {
            EventSsm.Rendering.Rgb c = style.Color(id);
            Assert.Contains(Enumerable.Range(0, frame.Length / 3), i => frame[3 * i] == c.R && frame[(3 * i) + 1] == c.G && frame[(3 * i) + 2] == c.B);
        }

        TrainValidatePredictEvaluate(tmp, "dsec", preDs2, [], Path.Combine(Fixtures.Datasets.Dsec, "test"),
            DsecDetLabels.TracksPath(Path.Combine(Fixtures.Datasets.Dsec, "test", "thun_01_a")),
            ["pedestrian", "rider", "car", "bus", "truck", "bicycle", "motorcycle", "train"], extra: ["dataset.downsample_by_factor_2=true"]);
    }

    [Fact]
    public void Custom_OwnConfigFile_CsvAndRawRecordings_EndToEnd()
    {
        using TempDir tmp = Fixtures.TempDir();
        // As the README says: a copy of the configs folder with configs/dataset/mine.yaml built on custom.yaml.
        string configs = tmp.File("configs");
        CopyDirectory(TestConfigs.Directory, configs);
        File.WriteAllText(Path.Combine(configs, "dataset", "mine.yaml"),
            "defaults:\n  - custom\n\nname: mine\nclasses: [car, person]\nresolution_hw: [240, 320]\n");
        string pre = tmp.File("pre");
        string output = CliRunner.Run("preprocess", Fixtures.Datasets.Custom, pre, "--dataset", "mine", "--config-dir", configs, "--workers", "2",
            "--splits", "train,test");
        Assert.Contains("3 written", output);
        // drive_b_td.raw is sequence drive_b. Times count from its first event, a little after the clock's 5 s, so the
        // label at 5.1 s is just under 100 ms in and the first frame is the label at 5.2 s (docs/DATA.md §8.5).
        PreprocessedSequence b = PreprocessedDataset.Load(pre, "train", DatasetDescription.Load(configs, "mine")).Sequences[1];
        Assert.Equal("drive_b", b.Name);
        Assert.InRange(b.FrameTimestamps[0], 199_000, 199_999);

        // predict takes CSV files when named (in a folder it skips text files, which may be notes).
        TrainValidatePredictEvaluate(tmp, "mine", pre, ["--config-dir", configs], Path.Combine(Fixtures.Datasets.Custom, "test", "drive_d.csv"),
            Path.Combine(Fixtures.Datasets.Custom, "test", "drive_d_bbox.npy"), ["car", "person"], experiment: "custom");
    }

    /// <param name="test">A test recording, or a folder with one.</param>
    /// <param name="labels">Its label file, as the dataset ships it.</param>
    private static void TrainValidatePredictEvaluate(TempDir tmp, string dataset, string pre, string[] options, string test, string labels,
        string[] classes, string? experiment = null, string[]? extra = null)
    {
        string run = tmp.File("run");
        string[] config = [$"dataset={dataset}", $"+experiment/{experiment ?? dataset}=small.yaml", .. s_micro, .. extra ?? [], $"dataset.path={pre}"];
        CliRunner.Run(["train", .. config, .. s_training, "--out", run, "--seed", "1", "--threads", "0", .. options]);
        string best = Path.Combine(run, "checkpoints", "best.safetensors");

        // The checkpoint embeds the resolved config, dataset description included.
        ConfigNode embedded = Assert.IsType<ConfigNode>(EventSsm.Checkpoints.DetectorCheckpoint.ReadEmbeddedConfig(best));
        Assert.Equal(classes, DatasetDescription.FromConfig(embedded).ClassNames);
        Assert.Equal(classes.Length, embedded.GetInt("model.head.num_classes"));

        string validated = CliRunner.Run(["validate", .. config, "use_test_set=1", "--checkpoint", best, "--json", "--threads", "0", .. options]);
        using (JsonDocument json = JsonDocument.Parse(validated))
        {
            Assert.Equal(classes, json.RootElement.GetProperty("per_class_AP").EnumerateObject().Select(p => p.Name));
        }
        // Without dataset= / +experiment: the checkpoint's own config, so the same numbers.
        string fromCheckpoint = CliRunner.Run(["validate", $"dataset.path={pre}", "use_test_set=1", "--checkpoint", best, "--json", "--threads", "0", .. options]);
        Assert.Equal(validated, fromCheckpoint);

        // predict needs no overrides: the embedded config names the classes. The untrained model scores every anchor
        // alike (about 1e-4), so at 1e-5 each window gives hundreds of boxes; every 200 ms keeps NMS short.
        string predictions = tmp.File("pred");
        CliRunner.Run("predict", test, "--checkpoint", best, "--out", predictions, "--render", "none", "--conf", "0.00001",
            "--step-ms", "200", "--threads", "0");
        string csv = Assert.Single(Directory.GetFiles(predictions, "*_bbox.csv"));
        string[] rows = File.ReadAllLines(csv);
        Assert.True(rows.Length > 1, "the untrained model predicts boxes at confidence 1e-5");
        Assert.All(rows.Skip(1), r => Assert.Equal(classes[int.Parse(r.Split(',')[5])], r.Split(',')[6]));

        // evaluate the prediction against the dataset's own label file (mapped to the classes with --raw-labels).
        string gt = Directory.CreateDirectory(tmp.File("gt")).FullName;
        string predicted = Assert.Single(Directory.GetFiles(predictions, "*_bbox.npy"));
        File.Copy(labels, Path.Combine(gt, Path.GetFileName(predicted)));
        string evaluated = CliRunner.Run(["evaluate", "--dataset", dataset, "--raw-labels", gt, predictions, "--json", .. options]);
        using JsonDocument ev = JsonDocument.Parse(evaluated);
        Assert.Equal(classes, ev.RootElement.GetProperty("per_class_AP").EnumerateObject().Select(p => p.Name));
        Assert.InRange(ev.RootElement.GetProperty("AP").GetDouble(), 0, 1);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
