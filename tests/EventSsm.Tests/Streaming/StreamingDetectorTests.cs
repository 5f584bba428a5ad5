using SkiaSharp;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Cli;
using EventSsm.Config;
using EventSsm.Detections;
using EventSsm.Events;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Model.Head;
using EventSsm.Model;
using EventSsm.Onnx;
using EventSsm.Representations;
using EventSsm.Streaming;
using EventSsm.Export;
using EventSsm.Tests.Cli;
using static TorchSharp.torch;

namespace EventSsm.Tests.Streaming;

/// <summary>
/// Streaming detection and `eventssm predict` on the first 0.4 s of the synthetic gen1 recording, with a seeded,
/// randomly initialised gen1-sized micro model (240×304 padded to 256×320).
/// </summary>
public sealed class StreamingDetectorTests
{
    // YOLOX initialises obj and cls to a 0.01 prior, so an untrained model scores about 1e-4.
    private const double Conf = 1e-5;
    private const long StepUs = 50_000;

    private static ConfigNode GenOneMicroConfig()
    {
        ConfigNode cfg = TestConfigs.Micro("val");
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    private static ConfigNode GenOneMicroCarryConfig()
    {
        ConfigNode cfg = TestConfigs.Micro("val", "model.backbone.s5.state_mode=carry");
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    private static YoloXDetector RandomModel(ConfigNode cfg)
    {
        manual_seed(3);
        var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        model.eval();
        return model;
    }

    private static EventArray ShortRecording()
    {
        EventArray all = DatFile.ReadAll(Fixtures.Events.SynthDat);
        return all.Slice(0, all.UpperBound(420_000));
    }

    [Fact]
    public void Push_InArbitraryChunks_EqualsDirectModelCallsOnTheSameHistograms()
    {
        ConfigNode cfg = GenOneMicroConfig();
        using YoloXDetector model = RandomModel(cfg);
        EventArray events = ShortRecording();
        using var streaming = new StreamingDetector(new TorchDetectorBackend(model, cfg), new StreamingOptions { ConfidenceThreshold = Conf }, ownsBackend: true);
        var windows = new List<WindowDetections>();
        for (int i = 0; i < events.Count; i += 7919)
        {
            windows.AddRange(streaming.Push(events.Slice(i, Math.Min(7919, events.Count - i))));
        }
        windows.AddRange(streaming.Flush());

        using var reader = new EventArrayReader(events);
        Assert.Equal(EventWindows.CoveringEnds(reader, StepUs), windows.Select(w => w.EndUs));
        var histogram = new StackedHistogram(240, 304);
        var frame = new byte[20 * 240 * 304];
        foreach (WindowDetections w in windows)
        {
            int from = events.LowerBound(w.EndUs - 50_000);
            histogram.Build(events.Slice(from, events.UpperBound(w.EndUs) - from), frame);
            using DisposeScope scope = NewDisposeScope();
            using IDisposable noGrad = no_grad();
            Tensor x = nn.functional.pad(tensor(frame, [1, 1, 20, 240, 304]).to(float32), [0, 16, 0, 16]);
            IReadOnlyList<Detection> expected = TensorPostprocess.Run(model.Forward(x).Decoded, Conf, 0.45)[0];
            Assert.NotEmpty(expected);
            AssertSameBoxes(expected, w.Boxes, w.EndUs);
        }
    }

    [Fact]
    public void PushFrames_ChunkOfL_EqualsOneModelCallOnTheChunk()
    {
        ConfigNode cfg = GenOneMicroConfig();
        using YoloXDetector model = RandomModel(cfg);
        using var streaming = new StreamingDetector(new TorchDetectorBackend(model, cfg), new StreamingOptions { ConfidenceThreshold = Conf }, ownsBackend: true);
        EventArray events = ShortRecording();
        long[] ends = [100_000, 150_000, 200_000];
        using DisposeScope scope = NewDisposeScope();
        float[] values = [.. ends.SelectMany(t =>
        {
            int from = events.LowerBound(t - 50_000);
            return streaming.BuildFrame(events.Slice(from, events.UpperBound(t) - from)).Select(b => (float)b);
        })];
        Tensor frames = tensor(values, [ends.Length, 20, 240, 304]);
        IReadOnlyList<WindowDetections> actual = streaming.PushFrames(values, ends);
        using IDisposable noGrad = no_grad();
        IReadOnlyList<Detection>[] expected = TensorPostprocess.Run(
            model.Forward(nn.functional.pad(frames.unsqueeze(1).to(float32), [0, 16, 0, 16])).Decoded, Conf, 0.45);
        for (int i = 0; i < ends.Length; i++)
        {
            AssertSameBoxes(expected[i], actual[i].Boxes, ends[i]);
        }
    }

    [Fact]
    public void Push_OutOfOrderChunk_Throws()
    {
        ConfigNode cfg = GenOneMicroConfig();
        using YoloXDetector model = RandomModel(cfg);
        using var streaming = new StreamingDetector(new TorchDetectorBackend(model, cfg), ownsBackend: true);
        EventArray events = ShortRecording();
        streaming.Push(events.Slice(1000, 10));
        Assert.Throws<ArgumentException>(() => streaming.Push(events.Slice(0, 10)));
    }

    [Fact]
    public void RecordingOfALargerSensor_IsRefusedInOneLineNamingTheFileAndBothSizes()
    {
        // A model for a 128×128 sensor and the 304×240 gen1 recording: the histogram cannot hold its events.
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = TestConfigs.Micro("val", "dataset.resolution_hw=[128,128]");
        ConfigModifier.Apply(cfg);
        using YoloXDetector model = RandomModel(cfg);
        using (var streaming = new StreamingDetector(new TorchDetectorBackend(model, cfg), ownsBackend: true))
        {
            var e = Assert.Throws<ArgumentException>(() => streaming.Push(ShortRecording()));
            Assert.Contains("304×240 sensor; the torch model takes 128×128", e.Message, StringComparison.Ordinal);
        }
        DetectorCheckpoint.Save(tmp.File("micro128.safetensors"), model, cfg);
        DatFile.Write(tmp.File("rec_td.dat"), ShortRecording());
        CliRunner.Run("export", tmp.File("micro128.safetensors"), "--out", tmp.File("micro128.onnx"));

        string line = CliRunner.BadInput("predict", tmp.File("rec_td.dat"), "--checkpoint", tmp.File("micro128.onnx"), "--backend", "onnx",
            "--out", tmp.File("out"), "--render", "none");

        Assert.StartsWith($"error: {tmp.File("rec_td.dat")}: recorded by a 304×240 sensor; the onnx model takes 128×128", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(tmp.File("out")));
    }

    [Fact]
    public void PredictCommand_WritesBoxesCsvAndGif()
    {
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = GenOneMicroConfig();
        using (YoloXDetector model = RandomModel(cfg))
        {
            DetectorCheckpoint.Save(tmp.File("micro.safetensors"), model, cfg);
        }
        DatFile.Write(tmp.File("rec_td.dat"), ShortRecording());
        string outDir = tmp.File("out");
        CliRunner.Run(["predict", tmp.File("rec_td.dat"), "--checkpoint", tmp.File("micro.safetensors"),
            "--out", outDir, "--conf", "0.00001"]);

        BoundingBox[] boxes = BoundingBoxFile.Read(Path.Combine(outDir, "rec_bbox.npy"));
        Assert.NotEmpty(boxes);
        Assert.All(boxes, b => Assert.Equal(0, b.T % StepUs));
        string[] csv = File.ReadAllLines(Path.Combine(outDir, "rec_bbox.csv"));
        Assert.Equal(boxes.Length + 1, csv.Length);
        using SKCodec codec = SKCodec.Create(Path.Combine(outDir, "rec_pred.gif"));
        Assert.NotNull(codec);
        Assert.True(codec.FrameCount >= 8, $"{codec.FrameCount} frames");
    }

    [Fact]
    public void OnnxBackend_GivesTheTorchBackendsBoxesOnARecording()
    {
        // Carry mode, so that both backends carry the state from window to window (an ONNX stream graph always does);
        // the golden micro weights, whose scores are spread (an untrained model scores every anchor about the same).
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = GenOneMicroCarryConfig();
        using YoloXDetector model = RandomModel(cfg);
        Assert.True(DetectorCheckpoint.Load(model, Fixtures.DetectorMicro.Checkpoint).IsExact);
        model.eval();
        OnnxExporter.Export(model, cfg, tmp.File("micro.onnx"), new OnnxExportOptions());
        EventArray events = ShortRecording();
        var options = new StreamingOptions { ConfidenceThreshold = 0.01 };
        using var torch = new StreamingDetector(new TorchDetectorBackend(model, cfg), options, ownsBackend: true);
        using var onnx = new StreamingDetector(OnnxDetectorBackend.Open(tmp.File("micro.onnx"), new OnnxSessionSettings(Threads: 2)), options, ownsBackend: true);
        Assert.Equal((torch.FrameHeight, torch.FrameWidth, torch.Channels), (onnx.FrameHeight, onnx.FrameWidth, onnx.Channels));
        var expected = new List<WindowDetections>();
        var actual = new List<WindowDetections>();
        for (int i = 0; i < events.Count; i += 20_011)
        {
            EventArray chunk = events.Slice(i, Math.Min(20_011, events.Count - i));
            expected.AddRange(torch.Push(chunk));
            actual.AddRange(onnx.Push(chunk));
        }
        expected.AddRange(torch.Flush());
        actual.AddRange(onnx.Flush());
        Assert.Equal(expected.Select(w => w.EndUs), actual.Select(w => w.EndUs));
        Assert.True(expected.Count >= 8);
        for (int w = 0; w < expected.Count; w++)
        {
            Assert.NotEmpty(expected[w].Boxes);
            Assert.Equal(expected[w].Boxes.Length, actual[w].Boxes.Length);
            for (int b = 0; b < expected[w].Boxes.Length; b++)
            {
                BoundingBox e = expected[w].Boxes[b], a = actual[w].Boxes[b];
                Assert.Equal((e.T, e.ClassId), (a.T, a.ClassId));
                Assert.True(Math.Abs(e.X - a.X) + Math.Abs(e.Y - a.Y) + Math.Abs(e.W - a.W) + Math.Abs(e.H - a.H) < 1e-2
                    && Math.Abs(e.ClassConfidence - a.ClassConfidence) < 1e-5, $"window {w} box {b}: {a} vs {e}");
            }
        }
    }

    [Fact]
    public void PredictCommand_OnnxBackend_FromACheckpointAndFromAnExportedGraph_WritesTheSameBoxes()
    {
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = GenOneMicroCarryConfig();
        using (YoloXDetector model = RandomModel(cfg))
        {
            DetectorCheckpoint.Save(tmp.File("micro.safetensors"), model, cfg);
        }
        DatFile.Write(tmp.File("rec_td.dat"), ShortRecording());
        CliRunner.Run("export", tmp.File("micro.safetensors"), "--out", tmp.File("micro.onnx"));
        foreach ((string model, string dir) in new[] { ("micro.safetensors", "a"), ("micro.onnx", "b") })
        {
            // In-process (Program.Run): Main would start predict again on tcmalloc, in a child process of the test host.
            CliRunner.Run("predict", tmp.File("rec_td.dat"), "--checkpoint", tmp.File(model), "--backend", "onnx",
                "--out", tmp.File(dir), "--conf", "0.00001", "--render", "none", "--threads", "2");
        }
        BoundingBox[] a = BoundingBoxFile.Read(tmp.File("a/rec_bbox.npy"));
        Assert.NotEmpty(a);
        Assert.Equal(a, BoundingBoxFile.Read(tmp.File("b/rec_bbox.npy")));
    }

    [Fact]
    public void PredictCommand_Folder_PredictsEachRecording_AndExitsOneWhenSomeFail()
    {
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode cfg = GenOneMicroConfig();
        using (YoloXDetector model = RandomModel(cfg))
        {
            DetectorCheckpoint.Save(tmp.File("micro.safetensors"), model, cfg);
        }
        string input = Directory.CreateDirectory(tmp.File("in")).FullName;
        DatFile.Write(Path.Combine(input, "a_td.dat"), ShortRecording());
        File.WriteAllBytes(Path.Combine(input, "b_td.dat"), new byte[13]); // no header, no whole event
        File.WriteAllText(Path.Combine(input, "notes.txt"), "not a recording");
        string outDir = tmp.File("out");

        CliResult r = CliRunner.Invoke(["predict", input, "--checkpoint", tmp.File("micro.safetensors"), "--out", outDir, "--render", "none"]);

        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(outDir, "a_bbox.npy")), r.Output);
        Assert.False(File.Exists(Path.Combine(outDir, "b_bbox.npy")));
        string failed = Assert.Single(r.Output.Split('\n'), l => l.Contains("FAILED", StringComparison.Ordinal));
        Assert.StartsWith(Path.Combine(input, "b_td.dat") + ": FAILED: ", failed, StringComparison.Ordinal);
    }

    private static void AssertSameBoxes(IReadOnlyList<Detection> expected, BoundingBox[] actual, long t)
    {
        Assert.Equal(expected.Count, actual.Length);
        for (int i = 0; i < actual.Length; i++)
        {
            Detection d = expected[i];
            Assert.Equal(new BoundingBox(t, d.X1, d.Y1, d.X2 - d.X1, d.Y2 - d.Y1, (uint)d.ClassId, d.ClassConf), actual[i]);
        }
    }
}
