using System.Text.Json;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Model;
using EventSsm.Rendering;
using EventSsm.Synthetic;
using EventSsm.Tests.Cli;
using EventSsm.Tests.Rendering.Viewer;
using static TorchSharp.torch;

namespace EventSsm.Tests.Workflows.Prediction;

/// <summary>`eventssm view` end to end on a short synthetic recording, checked against the library and in Chromium.</summary>
public sealed class RecordingViewerTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    /// <summary>A 1 s synthetic Gen1 recording with its labels, and "predictions" derived from the labels.</summary>
    private static (string Recording, string Labels, string PredDir) Recording(TempDir tmp, long durationUs = 1_000_000)
    {
        SyntheticSequence seq = SceneSimulator.Generate(new SceneOptions { DurationUs = durationUs, Seed = 11, InitialCars = 2, InitialPedestrians = 1 });
        string recording = tmp.File("rec_td.dat");
        string labels = tmp.File("rec_bbox.npy");
        DatFile.Write(recording, seq.Events);
        BoundingBoxFile.Write(labels, seq.Labels);
        string predDir = Path.Combine(tmp.Path, "pred");
        Directory.CreateDirectory(predDir);
        BoundingBox[] pred = seq.Labels.Select((b, i) => b with { X = b.X + (i % 3), ClassConfidence = i % 2 == 0 ? 0.9f : 0.2f }).ToArray();
        BoundingBoxFile.Write(Path.Combine(predDir, "rec_bbox.npy"), pred);
        return (recording, labels, predDir);
    }

    [Fact]
    public async Task View_ShowsTheRecordingsFrames_AndTheEvaluatorsMetrics()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string recording, string labels, string predDir) = Recording(tmp);
        string page = tmp.File("view.html");

        string printed = CliRunner.Run("view", recording, "--pred", predDir, "--out", page, "--per-frame");

        Assert.Contains("ground truth found next to the recording", printed);
        DetectionMetrics expected = PropheseeFileEvaluation.Evaluate([new BoxFilePair(labels, Path.Combine(predDir, "rec_bbox.npy"))],
            DatasetKind.Gen1, false, EvaluationMode.PerFrame);
        using JsonDocument data = ViewerPageData.Read(page);
        JsonElement metrics = data.RootElement.GetProperty("metrics");
        Assert.Equal(expected.AP, metrics.GetProperty("AP").GetDouble());
        Assert.Equal(expected.AP50, metrics.GetProperty("AP50").GetDouble());
        Assert.Equal(expected.PerClassAP["car"], metrics.GetProperty("perClass").GetProperty("car").GetDouble());
        Assert.Contains($"AP {expected.AP:F3}", printed);
        using IEventReader reader = EventRecording.Open(recording);
        long[] ends = EventWindows.CoveringEnds(reader, 50_000);
        Assert.Equal(ends, data.RootElement.GetProperty("times").EnumerateArray().Select(t => t.GetInt64()));
        Assert.Equal(ends.Length, data.RootElement.GetProperty("repr").GetProperty("frames").GetArrayLength());

        // The page decodes frame 10 to the plane the library computes for its window [T − 50 ms, T].
        const int frame = 10;
        byte[] plane = new byte[reader.Width * reader.Height];
        EventArray window = EventWindows.Read(reader, ends[frame], 50_000, new EventBuffer(reader.Width, reader.Height)).Events;
        EventFrames.Plane(window, 0, window.Count, plane);
        Assert.Contains(plane, v => v == EventFrames.On);
        Assert.Contains(plane, v => v == EventFrames.Off);
        await using ViewerTab tab = await chromium.OpenAsync(page);
        await tab.Page.SelectAsync("#zoom", "2");
        await tab.PressAsync("p");
        await tab.PressAsync("g");
        await tab.SetRangeAsync("timeline", frame);
        string shown = await tab.Page.EvaluateFunctionAsync<string>(@"(w, h) => {
            const px = document.getElementById('frame').getContext('2d').getImageData(0, 0, 2 * w, 2 * h).data;
            const pal = window.eventssmViewer.data.palettes.binary;
            let s = '';
            for (let y = 0; y < h - 20; y++) {      // the bottom rows hold the time label
              for (let x = 0; x < w; x++) {
                const j = (2 * y * 2 * w + 2 * x) * 4;
                const k = pal.findIndex(c => c[0] === px[j] && c[1] === px[j + 1] && c[2] === px[j + 2]);
                s += k < 0 ? '?' : String(k);
              }
            }
            return s;
          }", reader.Width, reader.Height);
        string expectedPlane = string.Concat(plane.Take(reader.Width * (reader.Height - 20)).Select(v => (char)('0' + v)));
        Assert.Equal(expectedPlane, shown);
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public void View_WithACheckpoint_RunsPredictFirst_AndShowsItsFile()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string recording, _, _) = Recording(tmp, 400_000);
        string checkpoint = tmp.File("random.safetensors");
        ConfigNode cfg = ConfigComposer.Compose(Path.Combine(AppContext.BaseDirectory, "configs"), "val",
            ["dataset=gen1", "+experiment/gen1=small.yaml", "model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8"]);
        ConfigModifier.Apply(cfg);
        manual_seed(5);
        using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            DetectorCheckpoint.Save(checkpoint, model, cfg);
        }
        string pageDir = Path.Combine(tmp.Path, "page");

        string printed = CliRunner.Run("view", recording, "--checkpoint", checkpoint, "--conf", "0.00001", "--out", Path.Combine(pageDir, "v.html"), "--no-bins");
        string predicted = CliRunner.Run("predict", recording, "--checkpoint", checkpoint, "--conf", "0.00001", "--render", "mp4",
            "--out", Path.Combine(tmp.Path, "predict"));

        // The page's predictions are exactly `predict`'s file, which view wrote next to the page.
        byte[] viewed = File.ReadAllBytes(Path.Combine(pageDir, "rec_bbox.npy"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(tmp.Path, "predict", "rec_bbox.npy")), viewed);
        BoundingBox[] boxes = BoundingBoxFile.Read(Path.Combine(pageDir, "rec_bbox.npy"));
        Assert.NotEmpty(boxes);
        using JsonDocument data = ViewerPageData.Read(Path.Combine(pageDir, "v.html"));
        int stored = data.RootElement.GetProperty("pred").EnumerateArray().Sum(f => f.GetArrayLength());
        Assert.Equal(boxes.Count(b => b.ClassConfidence >= 0.05f), stored);
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("repr").ValueKind);
        Assert.Contains("AP ", printed);                            // the ground truth next to the recording was scored
        // predict --render mp4 (ffmpeg is installed by .ci/run): H.264.
        string mp4 = Path.Combine(tmp.Path, "predict", "rec_pred.mp4");
        Assert.Contains("rendering: " + mp4, predicted);
        byte[] head = File.ReadAllBytes(mp4)[4..8];
        Assert.Equal("ftyp"u8.ToArray(), head);
    }

    [Fact]
    public void View_OfAPreprocessedSequence_ShowsItsStoredHistograms_AndLabelFrames()
    {
        using TempDir tmp = Fixtures.TempDir();
        string raw = Path.Combine(tmp.Path, "raw");
        SyntheticDataset.Write(raw, 3, new SceneOptions { DurationUs = 1_000_000, Seed = 2 });
        string pre = Path.Combine(tmp.Path, "pre");
        var options = new PreprocessOptions { Dataset = DatasetKind.Gen1 };
        Assert.False(new Preprocessor(options).Run(raw, pre).AnyFailed);
        string seqDir = Path.Combine(pre, "test", "synth_0002");
        PreprocessedSequence seq = PreprocessedSequence.Load(seqDir, DatasetKind.Gen1, options.RepresentationName);
        string page = tmp.File("seq.html");

        CliRunner.Run("view", seqDir, "--out", page);

        using JsonDocument data = ViewerPageData.Read(page);
        Assert.Equal(seq.ReprTimestamps, data.RootElement.GetProperty("times").EnumerateArray().Select(t => t.GetInt64()));
        int[] labelled = data.RootElement.GetProperty("gt").EnumerateArray().Select((f, i) => f.GetArrayLength() > 0 ? i : -1).Where(i => i >= 0).ToArray();
        Assert.Equal(seq.ObjframeIdx2ReprIdx.Where((_, k) => seq.FrameBoxes(k).Length > 0).Select(i => (int)i), labelled);
        JsonElement repr = data.RootElement.GetProperty("repr");
        Assert.Equal(10, repr.GetProperty("bins").GetInt32());
        Assert.Equal(0, repr.GetProperty("frames")[0].GetInt32());
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("metrics").ValueKind);
    }
}
