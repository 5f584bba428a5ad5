using EventSsm.Cli;
using EventSsm.IO;

namespace EventSsm.Tests.Cli;

/// <summary>The progress display without a terminal: periodic plain lines with rate and ETA (<see cref="PlainProgress"/>).</summary>
public sealed class ProgressDisplayTests
{
    private TimeSpan _now;

    private PlainProgress Plain(StringWriter writer) => new(writer, TimeSpan.FromSeconds(10), () => _now);

    private void At(double seconds, PlainProgress progress, ProgressReport report)
    {
        _now = TimeSpan.FromSeconds(seconds);
        progress.Report(report);
    }

    [Fact]
    public void LongTask_ALineEveryInterval_WithRateAndEta_AndALastLine()
    {
        using var writer = new StringWriter();
        PlainProgress p = Plain(writer);
        At(0, p, new ProgressReport("train", 0, 100, "steps"));
        At(5, p, new ProgressReport("train", 10, 100, "steps"));
        At(10, p, new ProgressReport("train", 20, 100, "steps"));
        At(12, p, new ProgressReport("train", 24, 100, "steps"));
        At(50, p, new ProgressReport("train", 100, 100, "steps"));
        Assert.Equal(
            ["train: 20% (20/100 steps, 2.00 steps/s, ETA 0:00:40)", "train: 100% (100/100 steps, 2.00 steps/s, in 0:00:50)"],
            writer.ToString().Split(writer.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ShortTask_PrintsNothing()
    {
        using var writer = new StringWriter();
        PlainProgress p = Plain(writer);
        At(0, p, new ProgressReport("validate val", 0, 8, "steps"));
        At(3, p, new ProgressReport("validate val", 8, 8, "steps"));
        Assert.Equal("", writer.ToString());
    }

    [Fact]
    public void ResumedTask_RateCountsOnlyThisRun_BytesInMiB()
    {
        using var writer = new StringWriter();
        PlainProgress p = Plain(writer);
        At(0, p, new ProgressReport("train", 500, 1000, "steps"));
        At(10, p, new ProgressReport("train", 510, 1000, "steps"));
        At(100, p, new ProgressReport("convert", 0, 64L << 20, ProgressReport.Bytes));
        At(110, p, new ProgressReport("convert", 16L << 20, 64L << 20, ProgressReport.Bytes));
        Assert.Equal(
            ["train: 51% (510/1,000 steps, 1.00 steps/s, ETA 0:08:10)", "convert: 25% (16.0/64.0 MiB, 1.60 MiB/s, ETA 0:00:30)"],
            writer.ToString().Split(writer.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void RedirectedCommand_WritesNoTerminalCodes()
    {
        using TempDir dir = Fixtures.TempDir();
        CliResult r = CliRunner.Invoke(["synth", dir.File("out"), "--sequences", "3", "--seconds", "0.2", "--width", "80", "--height", "60"]);
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Error + r.Output);
        Assert.DoesNotContain('\r', r.Error + r.Output);
        Assert.Contains("[3/3] test/", r.Output);
    }
}
