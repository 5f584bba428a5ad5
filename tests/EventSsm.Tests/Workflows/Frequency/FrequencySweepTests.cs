using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.IO;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Rendering;
using EventSsm.Synthetic;
using EventSsm.Training;
using EventSsm.Workflows.Frequency;
using static TorchSharp.torch;

namespace EventSsm.Tests.Workflows.Frequency;

/// <summary>The frequency sweep end to end on a tiny synthetic Gen1-like dataset with a random micro model.</summary>
public sealed class FrequencySweepTests
{
    private static ConfigNode Config(string checkpoint)
    {
        string[] overrides =
        [
            .. TestConfigs.MicroGen1,
            "dataset.sequence_length=2", "batch_size.eval=1", "hardware.num_workers.eval=1", "use_test_set=1",
            "model.postprocess.confidence_threshold=0.001", $"checkpoint={checkpoint}",
        ];
        ConfigNode cfg = TestConfigs.Compose("val", overrides);
        ConfigModifier.Apply(cfg);
        return cfg;
    }

    /// <summary>A raw synthetic dataset (one recording per split) and a randomly initialised micro model's checkpoint in <paramref name="tmp"/>.</summary>
    private static (string Raw, string Checkpoint, ConfigNode Config) RandomModelAndData(TempDir tmp, long durationUs, ulong dataSeed, int weightSeed,
        string recurrent = "s5")
    {
        string raw = Path.Combine(tmp.Path, "raw");
        SyntheticDataset.Write(raw, 3, new SceneOptions { DurationUs = durationUs, Seed = dataSeed, InitialCars = 2, InitialPedestrians = 1 });
        string checkpoint = Path.Combine(tmp.Path, "random.safetensors");
        ConfigNode cfg = Config(checkpoint);
        cfg.Set("model.backbone.recurrent", recurrent, create: true);
        manual_seed(weightSeed);
        using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            DetectorCheckpoint.Save(checkpoint, model, cfg);
        }
        return (raw, checkpoint, cfg);
    }

    [Fact]
    public void Sweep_FromRawData_WritesOneRowPerRate_AndAppendsAnotherLabel()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string raw, string checkpoint, ConfigNode cfg) = RandomModelAndData(tmp, 1_500_000, dataSeed: 4, weightSeed: 1);
        string outDir = Path.Combine(tmp.Path, "sweep");
        var log = new List<string>();
        var options = new FrequencySweepOptions { Hz = [20, 50], OutDirectory = outDir, RawDirectory = raw, Label = "auto" };

        IReadOnlyList<FrequencySweepRow> rows = FrequencySweep.Run(cfg, checkpoint, options, log.Add);

        Assert.Equal([20.0, 50.0], rows.Select(r => r.Hz));
        Assert.Equal([50, 20], rows.Select(r => r.StepMs));
        Assert.Equal([1.0, 0.4], rows.Select(r => r.StepScale));
        Assert.All(rows, r => Assert.True(r.LabelFrames > 0 && r.AP >= 0 && r.AP <= 1));
        Assert.True(Directory.Exists(Path.Combine(outDir, "pre_50hz", "test")));
        Assert.Contains(log, l => l.StartsWith("50 Hz: AP", StringComparison.Ordinal));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(outDir, FrequencySweep.CsvName)).Length);
        string md = File.ReadAllText(Path.Combine(outDir, FrequencySweep.MarkdownName));
        Assert.Equal(2, md.Split('\n').Count(l => l.StartsWith("| 20 |", StringComparison.Ordinal) || l.StartsWith("| 50 |", StringComparison.Ordinal)));
        Assert.Contains("| 20 | 50 | 50 | 1 | off |", md);
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, FrequencySweep.PlotName));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        // A second configuration (fixed step, mask on) overlays the first; the preprocessed data is reused.
        IReadOnlyList<FrequencySweepRow> all = FrequencySweep.Run(cfg, checkpoint,
            options with { Hz = [50], AutoStepScale = false, Mask = S5MaskMode.Eval, Label = "fixed", Append = true });
        Assert.Equal(["auto", "auto", "fixed"], all.Select(r => r.Label));
        Assert.Equal(("on", 1.0), (all[2].Mask, all[2].StepScale));
        Assert.Equal(all, FrequencySweep.ReadCsv(Path.Combine(outDir, FrequencySweep.CsvName)));
    }

    [Fact]
    public void Sweep_OfAnLstmModel_HasNoStepScaleOrMask()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string raw, string checkpoint, ConfigNode cfg) = RandomModelAndData(tmp, 1_000_000, dataSeed: 5, weightSeed: 2, recurrent: "lstm");
        string outDir = Path.Combine(tmp.Path, "sweep");

        IReadOnlyList<FrequencySweepRow> rows = FrequencySweep.Run(cfg, checkpoint,
            new FrequencySweepOptions { Hz = [40], OutDirectory = outDir, RawDirectory = raw, Label = "lstm", Mask = S5MaskMode.Eval });

        FrequencySweepRow row = Assert.Single(rows);
        Assert.True(double.IsNaN(row.StepScale));
        Assert.Equal(FrequencySweep.NotApplicable, row.Mask);
        Assert.Contains("| 40 | 25 | 25 | – | n/a |", File.ReadAllText(Path.Combine(outDir, FrequencySweep.MarkdownName)));
        FrequencySweepRow read = Assert.Single(FrequencySweep.ReadCsv(Path.Combine(outDir, FrequencySweep.CsvName)));
        Assert.True(double.IsNaN(read.StepScale) && read.Mask == FrequencySweep.NotApplicable && read.AP == row.AP);
    }

    [Fact]
    public void Sweep_WithAFixedWindow_SlidesItByTheStep()
    {
        using TempDir tmp = Fixtures.TempDir();
        (string raw, string checkpoint, ConfigNode cfg) = RandomModelAndData(tmp, 1_000_000, dataSeed: 6, weightSeed: 3);
        string outDir = Path.Combine(tmp.Path, "sweep");

        FrequencySweepRow row = Assert.Single(FrequencySweep.Run(cfg, checkpoint,
            new FrequencySweepOptions { Hz = [50], WindowMs = 50, OutDirectory = outDir, RawDirectory = raw, Label = "sliding" }));

        Assert.Equal((20.0, 50.0, 0.4), (row.StepMs, row.WindowMs, row.StepScale));
        string repr = Path.Combine(outDir, "pre_50hz_dt50", "test");
        string sequence = Assert.Single(Directory.GetDirectories(repr));
        Assert.True(Directory.Exists(Path.Combine(sequence, "event_representations_v2", "stacked_histogram_dt=50_nbins=10_step=20")));
        Assert.Contains("| 50 | 20 | 50 | 0.4 | off |", File.ReadAllText(Path.Combine(outDir, FrequencySweep.MarkdownName)));
    }

    [Fact]
    public void Sweep_WithABadWindow_FailsBeforeWritingAnything()
    {
        using TempDir tmp = Fixtures.TempDir();
        string checkpoint = Path.Combine(tmp.Path, "any.safetensors");
        File.WriteAllBytes(checkpoint, [0]);
        string outDir = Path.Combine(tmp.Path, "sweep");

        ArgumentException e = Assert.Throws<ArgumentException>(() => FrequencySweep.Run(Config(checkpoint), checkpoint,
            new FrequencySweepOptions { Hz = [20], WindowMs = -3, OutDirectory = outDir, RawDirectory = tmp.Path }));

        Assert.Contains("window length -3 ms", e.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void ReadCsv_ReadsTheFormatWithoutWindowColumn_AsWindowEqualsStep()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = Path.Combine(tmp.Path, "old.csv");
        File.WriteAllText(path, "label,hz,step_ms,step_scale,mask,AP,AP50,AP75,label_frames\ns5,80,12.5,0.25,off,0.3,0.8,0.2,78\n");
        FrequencySweepRow row = Assert.Single(FrequencySweep.ReadCsv(path));
        Assert.Equal(new FrequencySweepRow("s5", 80, 12.5, 12.5, 0.25, "off", 0.3, 0.8, 0.2, 78), row);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(7)]
    [InlineData(0)]
    public void RatesWithoutAWholeMicrosecondStep_AreRejected(double hz)
    {
        Assert.Throws<ArgumentException>(() => FrequencySweep.StepMs(hz));
    }

    [Theory]
    [InlineData(20, 50)]
    [InlineData(80, 12.5)]
    [InlineData(200, 5)]
    public void Step_IsThePeriodInMs(double hz, double stepMs)
    {
        Assert.Equal(stepMs, FrequencySweep.StepMs(hz));
    }

    [Fact]
    public void ReadCsv_RejectsAForeignFile_NamingIt()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = Path.Combine(tmp.Path, "x.csv");
        File.WriteAllText(path, "a,b\n1,2\n");
        DataFormatException e = Assert.Throws<DataFormatException>(() => FrequencySweep.ReadCsv(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Plot_DrawsEverySeriesInItsOwnColour()
    {
        RgbImage image = LinePlot.Render(
            [new PlotSeries("a", [(20, 40), (200, 30)]), new PlotSeries("b", [(20, 10), (200, 35)])], "t", "x", "y", 600, 400);
        var colours = new HashSet<Rgb>();
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                colours.Add(image[x, y]);
            }
        }
        Assert.Contains(new Rgb(31, 119, 180), colours);
        Assert.Contains(new Rgb(214, 39, 40), colours);
    }
}
