using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Representations;
using EventSsm.Workflows.Inspection;
using EventSsm.Tests.Cli;

namespace EventSsm.Tests.Workflows.Inspection;

public sealed class FileInspectorTests
{
    [Fact]
    public void Describe_GoldenDat_CountsAndRange()
    {
        AssertGoldenDatFacts(FileInspector.Describe(Fixtures.Events.SynthDat));
    }

    [Fact]
    public void Describe_NpzAndNpy_DTypesAndShapes()
    {
        IReadOnlyList<string> npz = FileInspector.Describe(Fixtures.Events.StackedHistogram);
        Assert.Contains("  shape: (21, 20, 240, 304)", npz);
        Assert.Contains("  dtype: |u1", npz);
        IReadOnlyList<string> npy = FileInspector.Describe(Fixtures.Events.SynthLabels);
        Assert.Contains("shape: (496,)", npy);
        Assert.Contains("  field 'class_confidence': <f4 at byte 25", npy);
    }

    [Fact]
    public void Describe_UnknownExtension_ThrowsListingTheSupportedTypes()
    {
        string path = Fixtures.Events.Info;
        var e = Assert.Throws<NotSupportedException>(() => FileInspector.Describe(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(".safetensors", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_Raw_SameFactsAsTheDat()
    {
        using TempDir dir = Fixtures.TempDir();
        string raw = dir.File("a.raw");
        RawFile.WriteEvt2(raw, DatFile.ReadAll(Fixtures.Events.SynthDat));
        var reports = new List<ProgressReport>();
        IReadOnlyList<string> lines = FileInspector.Describe(raw, new Progress(reports));
        Assert.Contains(lines, l => l.StartsWith("format: Metavision .raw, Evt2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("header: ", StringComparison.Ordinal) && l.Contains("format", StringComparison.Ordinal));
        AssertGoldenDatFacts(lines);
        Assert.Contains(lines, l => l.StartsWith("skipped words: 0 ", StringComparison.Ordinal));
        Assert.Equal(new ProgressReport("inspect", new FileInfo(raw).Length, new FileInfo(raw).Length, ProgressReport.Bytes), reports[^1]);
    }

    [Fact]
    public void Describe_RawEventH5_CountsRangeAndStructure()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(Fixtures.Events.SynthH5);
        Assert.Contains("format: RVT raw event HDF5", lines);
        Assert.Contains(lines, l => l.StartsWith("sensor: 304×240 (W×H)", StringComparison.Ordinal));
        Assert.Contains("events: 304,659", lines);
        Assert.Contains(lines, l => l.StartsWith("time: 0 … 5,999,958 µs", StringComparison.Ordinal));
        Assert.Contains("  /events/t: int64 shape (304659,) maxshape (None,)", lines);
    }

    [Fact]
    public void Describe_RepresentationH5_ShapeAndFrameZeroRange()
    {
        string path = Directory.GetFiles(Fixtures.Preprocessed.Out("test"), "event_representations.h5", SearchOption.AllDirectories).Single();
        IReadOnlyList<string> lines = FileInspector.Describe(path);
        Assert.Contains("format: RVT event representations HDF5", lines);
        using var reader = EventSsm.Representations.RepresentationH5Reader.Open(path);
        Assert.Contains($"frames: ({reader.Count}, 20, {reader.Height}, {reader.Width}) (N, C, H, W) uint8", lines);
        byte[] frame = reader.ReadFrame(0);
        Assert.Contains(lines, l => l.StartsWith($"frame 0: min {frame.Min()}, max {frame.Max()}, ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  filter: 32001 blosc", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_LightningCheckpoint_TensorsParametersAndTrainingState()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(Fixtures.DetectorMicro.Checkpoint);
        Assert.Contains("format: PyTorch Lightning checkpoint", lines);
        Assert.Contains("tensors: 412", lines);
        Assert.Contains(lines, l => l.StartsWith($"parameters: 1.09 M ({GoldenParameterCount():N0};", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("epoch: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("global_step: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("top-level keys: ", StringComparison.Ordinal) && l.Contains("optimizer_states", StringComparison.Ordinal));
        Assert.Equal(CheckpointInspector.ListedTensors, lines.Count(l => l.StartsWith("  mdl.", StringComparison.Ordinal)));
    }

    [Fact]
    public void Describe_StateDictPt_SameParameterCount()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(Fixtures.DetectorMicro.Weights);
        Assert.Contains("format: PyTorch state_dict", lines);
        Assert.Contains("tensors: 412", lines);
        Assert.Contains(lines, l => l.StartsWith($"parameters: 1.09 M ({GoldenParameterCount():N0};", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("epoch: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_Safetensors_TensorsParametersAndMetadata()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("w.safetensors");
        using (var w = torch.zeros(300, 20))
        using (var mean = torch.zeros(7))
        {
            SafetensorsFile.Write(path, new Dictionary<string, torch.Tensor> { ["fc.weight"] = w, ["bn.running_mean"] = mean },
                new Dictionary<string, string> { [SafetensorsFile.ConfigMetadataKey] = "{\"a\": 1}", ["note"] = "x" });
        }
        IReadOnlyList<string> lines = FileInspector.Describe(path);
        Assert.Contains("format: safetensors", lines);
        Assert.Contains("tensors: 2", lines);
        Assert.Contains(lines, l => l.StartsWith("parameters: 6.0 K (6,000; 6,007 elements", StringComparison.Ordinal));
        Assert.Contains($"metadata keys: {SafetensorsFile.ConfigMetadataKey}, note", lines);
        Assert.Contains(lines, l => l.StartsWith("embedded config: ", StringComparison.Ordinal));
        Assert.Contains("  fc.weight: Float32 [300, 20]", lines);
    }

    [Fact]
    public void Describe_CorruptFiles_ErrorsNameTheFile()
    {
        using TempDir dir = Fixtures.TempDir();
        foreach (string name in new[] { "bad.raw", "bad.h5", "bad.ckpt", "bad.safetensors" })
        {
            string path = dir.File(name);
            File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
            var e = Assert.ThrowsAny<DataFormatException>(() => FileInspector.Describe(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void InspectCommand_Checkpoint_ExitsZero()
    {
        CliRunner.Run(["inspect", Fixtures.DetectorMicro.Weights]);
    }

    /// <summary>config.json's num_parameters: sum(p.numel() for p in model.parameters()) in the original.</summary>
    private static long GoldenParameterCount()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Fixtures.DetectorMicro.Config));
        return doc.RootElement.GetProperty("num_parameters").GetInt64();
    }

    /// <summary>What describing events/gen1_synth_a_td.dat (or the same events in another format) must report.</summary>
    [Fact]
    public void Describe_BoxNpy_CountsPerClass_WithNamesWhenGiven()
    {
        string path = Fixtures.Events.SynthLabels;
        IReadOnlyList<string> ids = FileInspector.Describe(path);
        Assert.Contains("boxes: 496 at 120 label times, 50,000 … 6,000,000 µs", ids);
        Assert.Contains("class 0: 250", ids);
        Assert.Contains("class 1: 246", ids);
        IReadOnlyList<string> named = FileInspector.Describe(path, classNames: ["car", "pedestrian"]);
        Assert.Contains("class 0 car: 250", named);
        Assert.Contains("class 1 pedestrian: 246", named);
        Assert.Contains("class 1 (no such class in the list): 246", FileInspector.Describe(path, classNames: ["car"]));
    }

    [Fact]
    public void Describe_DsecTracks_UseDsecDetNames()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(DsecDetLabels.TracksPath(Fixtures.Formats.DsecSequence));
        Assert.Contains("boxes: 7 at 2 label times, 49,599,350,523 … 49,599,400,523 µs", lines);
        Assert.Contains("class 0 pedestrian: 1", lines);
        Assert.Contains("class 6 motorcycle: 1", lines);
    }

    [Fact]
    public void Describe_DsecEvents_AbsoluteTimes()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(DsecDetLabels.EventsPath(Fixtures.Formats.DsecSequence));
        Assert.Contains("format: DSEC events.h5 (t_offset 49,599,300,523 µs added: times are absolute)", lines);
        Assert.Contains("sensor: 640×480 (W×H) (no events/width, events/height: DSEC's sensor)", lines);
        Assert.Contains("events: 6,000", lines);
    }

    [Fact]
    public void Describe_PropheseeHdf5_EventsTriggersAttributes()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(Fixtures.Formats.PropheseeCppStyle);
        Assert.Contains("format: Metavision HDF5 (ECF-compressed CD events)", lines);
        Assert.Contains("sensor: 640×480 (W×H)", lines);
        Assert.Contains("events: 52,000", lines);
        Assert.Contains("chunks: 4 of 16,384 events, read directly (version-1 B-tree index)", lines);
        Assert.Contains(lines, l => l.StartsWith("attributes: camera_integrator_name=Prophesee, duration=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("external triggers: 50, ", StringComparison.Ordinal)
            && l.EndsWith("channel 0: 20 rising, 20 falling, channel 1: 5 rising, 5 falling", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("time_shift: 1,051,888 µs", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_RawWithTriggers_CountsThemPerChannel()
    {
        using TempDir dir = Fixtures.TempDir();
        string raw = dir.File("t.raw");
        EventFileConverter.Convert(Fixtures.Formats.PropheseeCppStyle, raw);
        IReadOnlyList<string> lines = FileInspector.Describe(raw);
        Assert.Contains(lines, l => l.StartsWith("external triggers: 50, ", StringComparison.Ordinal)
            && l.EndsWith("channel 0: 20 rising, 20 falling, channel 1: 5 rising, 5 falling", StringComparison.Ordinal));
        Assert.Contains("events: 52,000", lines);
    }

    [Fact]
    public void Describe_Csv_CountsAndSize()
    {
        using TempDir dir = Fixtures.TempDir();
        string csv = dir.File("e.csv");
        EventFileConverter.Convert(Fixtures.Events.SynthDat, csv);
        IReadOnlyList<string> lines = FileInspector.Describe(csv);
        Assert.Contains("format: text events (t,x,y,p per line)", lines);
        AssertGoldenDatFacts(lines.Select(l => l.Replace(", from a comment", "", StringComparison.Ordinal)).ToList());
    }

    private static void AssertGoldenDatFacts(IReadOnlyList<string> lines)
    {
        Assert.Contains("sensor: 304×240 (W×H)", lines);
        Assert.Contains("events: 304,659", lines);
        Assert.Contains("polarity: ON 152,906, OFF 151,753", lines);
        Assert.Contains(lines, l => l.StartsWith("time: 0 … 5,999,958 µs", StringComparison.Ordinal));
        Assert.Contains("rate: 0.051 Mev/s", lines); // 304,659 events in 5.999958 s
    }

    /// <summary>Records synchronously (System.Progress posts to the thread pool).</summary>
    private sealed class Progress(List<ProgressReport> values) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => values.Add(value);
    }
}
