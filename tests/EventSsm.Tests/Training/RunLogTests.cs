using System.Buffers.Binary;
using EventSsm.Rendering;
using EventSsm.Training;
using SkiaSharp;
using Tensorboard;

namespace EventSsm.Tests.Training;

public sealed class RunLogTests
{
    private static readonly string[] s_columns = ["train/loss", "lr", "val/AP"];

    [Fact]
    public void OneHeader_ForRowsWithDifferentKeys_AndTensorBoardEvents()
    {
        using TempDir tmp = Fixtures.TempDir();
        using (var log = new RunLog(tmp.Path, s_columns))
        {
            log.Log(1, new Dictionary<string, double> { ["train/loss"] = 2.5, ["lr"] = 1e-4 });
            log.Log(2, new Dictionary<string, double> { ["val/AP"] = 0.25 });
            Assert.Equal(["step,train/loss,lr,val/AP", "1,2.5,0.0001,", "2,,,0.25"], File.ReadAllLines(log.CsvPath));
        }
        using (var resumed = new RunLog(tmp.Path, s_columns, resumeAfterStep: 2))
        {
            resumed.Log(3, new Dictionary<string, double> { ["train/loss"] = 1.5 });
        }
        // Two event files (the run and its resumption): every record's CRCs check and the scalars read back.
        string dir = Path.Combine(tmp.Path, "tensorboard");
        Assert.Equal(2, Directory.GetFiles(dir, "events.out.tfevents.*").Length);
        Assert.All(Directory.GetFiles(dir), f => Assert.Equal("brain.Event:2", TensorBoardEventFile.Read(f)[0].FileVersion));
        List<(long Step, Summary.Types.Value Value)> values = TensorBoardEventFile.Values(dir);
        Assert.Equal([(1L, 2.5f), (3L, 1.5f)], values.Where(v => v.Value.Tag == "train/loss").Select(v => (v.Step, v.Value.SimpleValue)));
        Assert.Equal(0.25f, values.Single(v => v.Value.Tag == "val/AP").Value.SimpleValue);
    }

    [Fact]
    public void ImagesTextAndPrCurves_AreTheTensorBoardPluginFormats()
    {
        using TempDir tmp = Fixtures.TempDir();
        var image = new RgbImage(6, 4);
        image.Fill(new Rgb(10, 200, 30));
        using (var log = new RunLog(tmp.Path, s_columns))
        {
            log.LogImage(7, "val/img/0", image);
            log.LogText(0, "config", "    model:\n      name: rnndet");
            log.LogPrCurve(7, "val/pr_curve/car", new PrCurve([0.5, 0.8, 1.0], [1.0, 0.5, 0.25], [0.1, 0.5, 0.9], GroundTruth: 8));
        }
        List<(long Step, Summary.Types.Value Value)> values = TensorBoardEventFile.Values(Path.Combine(tmp.Path, "tensorboard"));

        Summary.Types.Value img = values.Single(v => v.Value.Tag == "val/img/0").Value;
        Assert.Equal((6, 4, 3), (img.Image.Width, img.Image.Height, img.Image.Colorspace));
        using SKBitmap bmp = SKBitmap.Decode(img.Image.EncodedImageString.ToByteArray());
        Assert.Equal(new SKColor(10, 200, 30), bmp.GetPixel(3, 2));

        Summary.Types.Value text = values.Single(v => v.Value.Tag == "config").Value;
        Assert.Equal("text", text.Metadata.PluginData.PluginName);
        Assert.Equal(DataType.DtString, text.Tensor.Dtype);
        Assert.Equal("    model:\n      name: rnndet", text.Tensor.StringVal.Single().ToStringUtf8());

        (long step, Summary.Types.Value pr) = values.Single(v => v.Value.Tag == "val/pr_curve/car");
        Assert.Equal(7, step);
        Assert.Equal("pr_curves", pr.Metadata.PluginData.PluginName);
        Assert.Equal(new byte[] { 0x10, 3 }, pr.Metadata.PluginData.Content.ToByteArray()); // num_thresholds = 3
        Assert.Equal([6L, 3L], pr.Tensor.TensorShape.Dim.Select(d => d.Size));
        byte[] raw = pr.Tensor.TensorContent.ToByteArray();
        float[] t = Enumerable.Range(0, 18).Select(i => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * i))).ToArray();
        Assert.Equal([8f, 4f, 2f], t[0..3]);           // TP = recall · 8
        Assert.Equal([8f, 1f, 0f], t[3..6]);           // FP = TP / precision − TP
        Assert.Equal([0f, 4f, 6f], t[9..12]);          // FN = 8 − TP
        Assert.Equal([0.5f, 0.8f, 1f], t[12..15]);     // precision
        Assert.Equal([1f, 0.5f, 0.25f], t[15..18]);    // recall
    }

    [Fact]
    public void Resume_KeepsTheRowsUpToTheResumedStep_UnderTheSameHeader()
    {
        using TempDir tmp = Fixtures.TempDir();
        var first = new RunLog(tmp.Path, s_columns, tensorBoard: false);
        for (int step = 1; step <= 4; step++)
        {
            first.Log(step, new Dictionary<string, double> { ["train/loss"] = step, ["lr"] = 1e-4 });
        }
        // The checkpoint was at step 2: steps 3 and 4 are redone and must not appear twice.
        var resumed = new RunLog(tmp.Path, s_columns, resumeAfterStep: 2, tensorBoard: false);
        resumed.Log(3, new Dictionary<string, double> { ["train/loss"] = 30, ["val/AP"] = 0.5 });

        MetricsCsv csv = MetricsCsv.Read(resumed.CsvPath);
        Assert.Equal(["step", .. s_columns], csv.Columns);
        Assert.Equal([1L, 2, 3], csv.StepsWith("train/loss"));
        Assert.Equal(30, csv.Rows[^1]["train/loss"]);
        Assert.Equal([3L], csv.StepsWith("val/AP"));
    }

    [Fact]
    public void Resume_AFileWithAppendedHeaderLines_IsRewrittenUnderOneHeader()
    {
        using TempDir tmp = Fixtures.TempDir();
        // What earlier versions wrote: a second header line when validation columns first appeared.
        File.WriteAllText(Path.Combine(tmp.Path, RunLog.CsvName),
            "step,train/loss,lr\n1,2.5,0.0001\n2,2,0.0002\nstep,train/loss,lr,val/AP\n3,1.5,0.0003,0.25\n");
        var log = new RunLog(tmp.Path, s_columns, resumeAfterStep: 3, tensorBoard: false);
        log.Log(4, new Dictionary<string, double> { ["train/loss"] = 1.0, ["lr"] = 4e-4 });

        Assert.Equal(["step,train/loss,lr,val/AP", "1,2.5,0.0001,", "2,2,0.0002,", "3,1.5,0.0003,0.25", "4,1,0.0004,"],
            File.ReadAllLines(log.CsvPath));
    }

    [Fact]
    public void NewRun_StartsANewFile()
    {
        using TempDir tmp = Fixtures.TempDir();
        new RunLog(tmp.Path, s_columns, tensorBoard: false).Log(1, new Dictionary<string, double> { ["lr"] = 1 });
        var again = new RunLog(tmp.Path, ["lr"], tensorBoard: false);
        Assert.Equal(["step,lr"], File.ReadAllLines(again.CsvPath));
    }

    [Fact]
    public void UndeclaredKey_Throws()
    {
        using TempDir tmp = Fixtures.TempDir();
        var log = new RunLog(tmp.Path, s_columns, tensorBoard: false);
        ArgumentException e = Assert.Throws<ArgumentException>(() => log.Log(1, new Dictionary<string, double> { ["val/AP_50"] = 1 }));
        Assert.Contains("val/AP_50", e.Message);
        Assert.Equal(["step,train/loss,lr,val/AP"], File.ReadAllLines(log.CsvPath));
    }
}
