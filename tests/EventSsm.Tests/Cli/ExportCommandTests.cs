using EventSsm.Onnx;
using EventSsm.Tests.Model;

namespace EventSsm.Tests.Cli;

/// <summary>`eventssm export`: the golden checkpoint as stream and chunk graphs, and a config that does not fit it.</summary>
public sealed class ExportCommandTests
{
    private static string[] Micro => YoloXDetectorTests.MicroOverrides;

    [Fact]
    public void Export_OfficialStyleCheckpoint_WritesGraphsOnnxRuntimeLoads()
    {
        using TempDir tmp = Fixtures.TempDir();
        string stream = tmp.File("stream.onnx");
        string chunk = tmp.File("chunk.onnx");
        string printed = CliRunner.Run(["export", DetectorMicro.File("model.ckpt"), .. Micro, "--format", "onnx", "--out", stream]);
        Assert.Contains("stream graph", printed);
        CliRunner.Run(["export", DetectorMicro.File("model.ckpt"), .. Micro, "--out", chunk, "--mode", "chunk", "--length", "4", "--nms"]);
        using (OnnxDetector s = OnnxDetector.Open(stream))
        {
            Assert.False(s.Info.Chunk);
            Assert.Equal((128, 128, 20, 2), (s.Info.InputHeight, s.Info.InputWidth, s.Info.Channels, s.Info.NumClasses));
            Assert.Equal(0.001, s.Info.ConfidenceThreshold);
        }
        using OnnxDetector c = OnnxDetector.Open(chunk);
        Assert.True(c.Info.Chunk && c.Info.Nms);
        Assert.Equal(4, c.Info.Length);
    }

    [Fact]
    public void Export_ConfigThatDoesNotFitTheCheckpoint_NamesTheFileAndTheShapes()
    {
        using TempDir tmp = Fixtures.TempDir();
        string ckpt = DetectorMicro.File("model.ckpt");
        // The full-size small model instead of the micro one the weights belong to.
        string line = CliRunner.BadInput("export", ckpt, "dataset=gen1", "+experiment/gen1=small.yaml", "--out", tmp.File("x.onnx"));
        Assert.StartsWith($"error: {ckpt}: weights do not fit the configured model", line);
        Assert.Contains("backbone.stages.0.downsample_cf2cl.conv.weight", line);
        Assert.False(File.Exists(tmp.File("x.onnx")));
    }

    [Fact]
    public void PredictOnnxBackendOnCuda_WithoutTheGpuBuild_IsOneLineNamingWhatIsMissing()
    {
        using TempDir tmp = Fixtures.TempDir();
        CliRunner.Run(["export", DetectorMicro.File("model.ckpt"), .. Micro, "--out", tmp.File("micro.onnx")]);
        // --device cuda is accepted for the onnx backend even though this build's libtorch has no CUDA: ONNX Runtime's
        // provider is what runs, and its set-up reports the missing libraries (or the CPU build).
        string line = CliRunner.BadInput("predict", Fixtures.Events.SynthDat, "--checkpoint", tmp.File("micro.onnx"), "--backend", "onnx",
            "--device", "cuda", "--out", tmp.File("out"));
        Assert.Contains("--device cuda: the CUDA execution provider is not available", line);
    }
}
