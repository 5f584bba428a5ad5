using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Model;
using EventSsm.Synthetic;
using static TorchSharp.torch;

namespace EventSsm.Tests.Cli;

/// <summary><c>--precision fp32|bf16</c> on predict, view, validate and benchmark (docs/MODEL.md §11.3).</summary>
public sealed class PrecisionOptionTests
{
    private static readonly string[] Micro = ["model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8"];

    [Fact]
    public void Predict_InBFloat16_ReadsTheSameWindowsAsFloat32()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string recording, string checkpoint) = RecordingAndCheckpoint(tmp);
        string fp32 = CliRunner.Run("predict", recording, "--checkpoint", checkpoint, "--conf", "0.00001", "--render", "none",
            "--out", Path.Combine(tmp.Path, "fp32"));
        string bf16 = CliRunner.Run("predict", recording, "--checkpoint", checkpoint, "--conf", "0.00001", "--render", "none",
            "--precision", "bf16", "--out", Path.Combine(tmp.Path, "bf16"));
        Assert.True(File.Exists(Path.Combine(tmp.Path, "bf16", "rec_bbox.npy")));
        Assert.NotEmpty(BoundingBoxFile.Read(Path.Combine(tmp.Path, "bf16", "rec_bbox.npy")));
        Assert.Equal(Windows(fp32), Windows(bf16));
    }

    [Fact]
    public void View_WithACheckpoint_PredictsInBFloat16()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string recording, string checkpoint) = RecordingAndCheckpoint(tmp);
        string page = Path.Combine(tmp.Path, "page", "v.html");
        CliRunner.Run("view", recording, "--checkpoint", checkpoint, "--conf", "0.00001", "--precision", "bf16", "--out", page, "--no-bins");
        Assert.True(File.Exists(page));
        Assert.NotEmpty(BoundingBoxFile.Read(Path.Combine(tmp.Path, "page", "rec_bbox.npy")));
    }

    [Fact]
    public void BFloat16_WithTheOnnxBackend_IsOneLine()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string recording, string checkpoint) = RecordingAndCheckpoint(tmp);
        string line = CliRunner.BadInput("predict", recording, "--checkpoint", checkpoint, "--backend", "onnx", "--precision", "bf16",
            "--out", Path.Combine(tmp.Path, "p"));
        Assert.Contains("is for the torch backend", line);
    }

    [Fact]
    public void UnknownPrecision_IsOneLineListingTheChoices()
    {
        string line = CliRunner.BadInput("benchmark", "--precision", "fp16");
        Assert.Contains("'fp32' 'bf16'", line);
    }

    [Fact]
    public void Benchmark_TimesBFloat16Inference_AndAFloat32TrainingStep()
    {
        string output = CliRunner.Run(["benchmark", "--config-dir", TestConfigs.Directory, "--height", "64", "--width", "64",
            "--repeats", "1", "--train-repeats", "1", "--precision", "bf16", .. Micro]);
        Assert.Contains("bfloat16 inference (training step float32)", output);
        Assert.Contains("train step B=2 L=5", output);
        Assert.Contains("\"Precision\": \"BFloat16\"", output);
    }

    private static int Windows(string predictOutput) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(predictOutput, @"from (\d+) windows").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);

    private static (string Recording, string Checkpoint) RecordingAndCheckpoint(TempDir tmp)
    {
        SyntheticSequence seq = SceneSimulator.Generate(new SceneOptions { DurationUs = 400_000, Seed = 11, InitialCars = 2, InitialPedestrians = 1 });
        string recording = tmp.File("rec_td.dat");
        DatFile.Write(recording, seq.Events);
        string checkpoint = tmp.File("random.safetensors");
        ConfigNode cfg = ConfigComposer.Compose(TestConfigs.Directory, "val", ["dataset=gen1", "+experiment/gen1=small.yaml", .. Micro]);
        ConfigModifier.Apply(cfg);
        manual_seed(5);
        using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            DetectorCheckpoint.Save(checkpoint, model, cfg);
        }
        return (recording, checkpoint);
    }
}
