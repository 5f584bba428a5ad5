using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Tests.Datasets;

/// <summary>The shipped dataset configs (docs/DATA.md §8.1) and the errors for bad values.</summary>
public sealed class DatasetDescriptionTests
{
    [Fact]
    public void Gen1_IsTheOriginalsFacts()
    {
        DatasetDescription d = TestDatasets.Gen1;
        Assert.Equal(["car", "pedestrian"], d.ClassNames);
        Assert.True(d.Classes.IsIdentity);
        Assert.Equal(new SensorSize(304, 240), d.Sensor);
        Assert.False(d.DownsampleBy2);
        Assert.Equal(TimeOrigin.Stored, d.TimeOrigin);
        Assert.Equal(new LabelFilterRule { MinDiag = 30, MinSide = 10 }, d.LabelFilter);
        Assert.Equal(273, d.LabelFilter.MaxTrainWidth(304)); // (9·304)//10
        Assert.Equal(250_000, d.Frames.PeriodUs);
        Assert.Equal(2, d.Frames.StepsPerPeriod);
        Assert.Equal((100_000L, 2_000L), (d.Frames.FirstUs, d.Frames.ToleranceUs));
        Assert.Equal(4, d.Raw.SkipSequences.Count);
        Assert.Contains("17-04-06_09-57-37_6344500000_6404500000", d.Raw.SkipSequences);
        Assert.Equal("event_representations.h5", d.RepresentationFileName);
    }

    [Fact]
    public void Gen4_IsTheOriginalsFacts()
    {
        DatasetDescription d = TestDatasets.Gen4;
        Assert.Equal(["pedestrian", "two-wheeler", "car"], d.ClassNames);
        Assert.Equal(7, d.Classes.FileClassCount);
        Assert.Equal([0, 1, 2, null, null, null, null], Enumerable.Range(0, 7).Select(k => d.Classes.Target((uint)k)));
        Assert.Equal(new SensorSize(1280, 720), d.Sensor);
        Assert.True(d.DownsampleBy2);
        Assert.Equal(new LabelFilterRule { MinSide = 5 }, d.LabelFilter);
        Assert.Equal(1152, d.LabelFilter.MaxTrainWidth(1280));
        Assert.Null(d.Frames.PeriodUs);
        Assert.Equal([30, 60], d.Frames.RatesHz);
        Assert.Equal("event_representations_ds2_nearest.h5", d.RepresentationFileName);
    }

    [Fact]
    public void BuiltInDatasets_ClassesSensorsLayouts()
    {
        DatasetDescription etram = TestDatasets.Named("etram");
        Assert.Equal(["pedestrian", "vehicle", "micromobility"], etram.ClassNames);
        // 8-class ids: pedestrian, car, bicycle, bus, motorbike, truck, tram, wheelchair.
        Assert.Equal([0, 1, 2, 1, 2, 1, 1, 2], Enumerable.Range(0, 8).Select(k => etram.Classes.Target((uint)k)!.Value));
        Assert.Equal((new SensorSize(1280, 720), true), (etram.Sensor, etram.DownsampleBy2));
        Assert.Equal(["{split}", "{split}_h5_*"], etram.Raw.SplitFolders);

        DatasetDescription etram8 = TestDatasets.Named("etram8");
        Assert.Equal(8, etram8.ClassNames.Count);
        Assert.True(etram8.Classes.IsIdentity);
        Assert.Equal("class annotations/eight_class_annotations_{split}", etram8.Raw.LabelsFolder);

        DatasetDescription dsec = TestDatasets.Named("dsec");
        Assert.Equal(DsecDetLabels.ClassNames, dsec.ClassNames);
        Assert.Equal((new SensorSize(640, 480), false, RawLayoutKind.Dsec, TimeOrigin.Recording),
            (dsec.Sensor, dsec.DownsampleBy2, dsec.Raw.Kind, dsec.TimeOrigin));
        Assert.Equal([20], dsec.Frames.RatesHz);

        DatasetDescription custom = TestDatasets.Named("custom", "dataset.classes=[car,person]", "dataset.resolution_hw=[240,320]");
        Assert.Equal((RawLayoutKind.Folder, TimeOrigin.Recording), (custom.Raw.Kind, custom.TimeOrigin));
        Assert.Equal(new BoxFilter(0, 0, 500_000), custom.EvaluationFilter());
    }

    [Fact]
    public void ConfigModifier_CountsTheClasses()
    {
        ConfigNode cfg = TestConfigs.Compose("train", "dataset=dsec", "+experiment/dsec=small.yaml");
        ConfigModifier.Apply(cfg);
        Assert.Equal(8, cfg.GetInt("model.head.num_classes"));
        Assert.Equal([512, 640], cfg.GetIntList("model.backbone.in_res_hw"));
    }

    [Theory]
    [InlineData("dataset.labels.min_side=-5", "config key 'dataset.labels.min_side' = -5, expected a size ≥ 0 in pixels")]
    [InlineData("dataset.evaluation.min_diag=-1", "config key 'dataset.evaluation.min_diag' = -1, expected a value ≥ 0")]
    [InlineData("dataset.frames.period_us=0", "config key 'dataset.frames.period_us' = 0, expected a value > 0 or null")]
    [InlineData("dataset.frames.rates_hz=[30,-60]", "config key 'dataset.frames.rates_hz' = [30, -60], expected positive rates in Hz")]
    [InlineData("dataset.labels.max_width_train=1.5", "config key 'dataset.labels.max_width_train' = 1.5")]
    [InlineData("dataset.raw.layout=zip", "config key 'dataset.raw.layout' = zip, expected prophesee, dsec or folder")]
    [InlineData("dataset.time_origin=gps", "config key 'dataset.time_origin' = gps, expected stored or recording")]
    [InlineData("dataset.raw.split_folders=[../elsewhere]", "config key 'dataset.raw': folder pattern '../elsewhere' must be a relative path")]
    [InlineData("dataset.label_map=[pedestrian,two-wheeler,truck]",
        "config keys 'dataset.classes' / 'dataset.label_map': label-file class id 2 maps to 'truck', which is not one of the classes (pedestrian, two-wheeler, car)")]
    [InlineData("dataset.classes=[car,car]", "config keys 'dataset.classes' / 'dataset.label_map': class name 'car' appears twice")]
    [InlineData("dataset.label_map=3", "bad value for config key 'dataset.label_map'")]
    public void BadValues_AreOneLineErrorsNamingTheKey(string bad, string message)
    {
        ConfigException e = Assert.Throws<ConfigException>(() => TestDatasets.Named("gen4", bad));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void CustomWithoutClasses_SaysWhichKeyToSet()
    {
        ConfigException e = Assert.Throws<ConfigException>(() => TestDatasets.Named("custom", "dataset.resolution_hw=[240,320]"));
        Assert.StartsWith("config key 'dataset.classes' is not set", e.Message, StringComparison.Ordinal);
        // The command line says the same (exit code 2, one line).
        string line = Cli.CliRunner.BadInput("preprocess", Fixtures.Datasets.Custom, Path.Combine(Path.GetTempPath(), "never-written"),
            "--dataset", "custom", "dataset.resolution_hw=[240,320]");
        Assert.Contains("dataset.classes", line);
    }
}
