using EventSsm.Training;

namespace EventSsm.Tests.Training;

public sealed class RunLogTests
{
    private static readonly string[] s_columns = ["train/loss", "lr", "val/AP"];

    [Fact]
    public void OneHeader_ForRowsWithDifferentKeys_AndTensorBoardEvents()
    {
        using TempDir tmp = Fixtures.TempDir();
        var log = new RunLog(tmp.Path, s_columns);
        log.Log(1, new Dictionary<string, double> { ["train/loss"] = 2.5, ["lr"] = 1e-4 });
        log.Log(2, new Dictionary<string, double> { ["val/AP"] = 0.25 });

        Assert.Equal(["step,train/loss,lr,val/AP", "1,2.5,0.0001,", "2,,,0.25"], File.ReadAllLines(log.CsvPath));
        string[] events = Directory.GetFiles(Path.Combine(tmp.Path, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        Assert.True(events.Sum(f => new FileInfo(f).Length) > 100);
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
