using EventSsm.Training;

namespace EventSsm.Tests.Training;

public sealed class RunLogTests
{
    [Fact]
    public void WritesCsvRows_AndTensorBoardEvents_AndResumesHeader()
    {
        using TempDir tmp = Fixtures.TempDir();
        {
            var log = new RunLog(tmp.Path);
            log.Log(1, new Dictionary<string, double> { ["train/loss"] = 2.5, ["lr"] = 1e-4 });
            log.Log(2, new Dictionary<string, double> { ["train/loss"] = 2.0, ["lr"] = 2e-4 });
        }
        {
            var log = new RunLog(tmp.Path);
            log.Log(3, new Dictionary<string, double> { ["train/loss"] = 1.5, ["lr"] = 3e-4, ["val/AP"] = 0.25 });
        }
        string[] lines = File.ReadAllLines(Path.Combine(tmp.Path, "metrics.csv"));
        Assert.Equal("step,train/loss,lr", lines[0]);
        Assert.Equal("1,2.5,0.0001", lines[1]);
        Assert.Equal("step,train/loss,lr,val/AP", lines[3]);
        Assert.Equal("3,1.5,0.0003,0.25", lines[4]);
        string[] events = Directory.GetFiles(Path.Combine(tmp.Path, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories);
        Assert.NotEmpty(events);
        Assert.True(events.Sum(f => new FileInfo(f).Length) > 100);
    }
}
