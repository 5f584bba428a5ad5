using EventSsm.Cli;
using EventSsm.IO.Numpy;
using EventSsm.Synthetic;

namespace EventSsm.Tests.Cli;

/// <summary>The exit codes of README "Exit codes": 0 ok, 1 some items failed, 2 bad input, 130 cancelled.</summary>
public sealed class ExitCodeTests
{
    [Fact]
    public void UnknownOption_IsBadInput()
    {
        string error = CliRunner.BadInput("evaluate", "--dataset", "gen1", "a", "b", "--nope");
        Assert.Contains("--nope", error);
        Assert.Contains("eventssm evaluate --help", error);
    }

    [Fact]
    public void CorruptFile_IsOneLineNamingTheFile_AndVerboseAddsTheStackTrace()
    {
        using TempDir dir = Fixtures.TempDir();
        string bad = dir.File("bad.npy");
        File.WriteAllBytes(bad, [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 200, 0, (byte)'{']);
        string error = CliRunner.BadInput("inspect", bad);
        Assert.Contains(bad, error, StringComparison.Ordinal);

        CliResult verbose = CliRunner.Invoke(["inspect", bad, "--verbose"]);
        Assert.Equal(ExitCodes.BadInput, verbose.ExitCode);
        Assert.Contains(bad, verbose.Error, StringComparison.Ordinal);
        Assert.Contains("   at EventSsm.", verbose.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsOneLineNamingTheFile()
    {
        using TempDir dir = Fixtures.TempDir();
        string missing = dir.File("missing.dat");
        Assert.Contains(missing, CliRunner.BadInput("render", missing, "--out", dir.File("x.gif")), StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("x.gif")));
    }

    [Fact]
    public void Cancelled_Is130_AndWritesNothing()
    {
        using TempDir dir = Fixtures.TempDir();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        CliResult r = CliRunner.Invoke(["synth", dir.File("out"), "--sequences", "3", "--seconds", "0.2"], cancelled.Token);
        Assert.Equal(ExitCodes.Cancelled, r.ExitCode);
        Assert.Equal("cancelled", r.Error.Trim());
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFileSystemEntries(dir.File("out")).Any());
    }

    [Fact]
    public void SomeSequencesFailing_IsOne_AndTheSummaryNamesThem()
    {
        using TempDir dir = Fixtures.TempDir();
        string raw = dir.File("raw");
        SyntheticDataset.Write(raw, 3, new SceneOptions { DurationUs = 1_000_000, Seed = 3, InitialCars = 1, InitialPedestrians = 1 });
        string broken = Directory.GetFiles(Path.Combine(raw, "val"), "*_td.dat").Single();
        File.WriteAllBytes(broken, File.ReadAllBytes(broken)[..^3]); // a truncated last event

        CliResult r = CliRunner.Invoke(["preprocess", raw, dir.File("pre"), "--dataset", "gen1", "--splits", "train,val"]);

        Assert.Equal(ExitCodes.Failed, r.ExitCode);
        string failed = Assert.Single(r.Output.Split('\n'), l => l.Contains("FAILED", StringComparison.Ordinal));
        Assert.StartsWith($"val/{Path.GetFileName(broken)[..^"_td.dat".Length]}: FAILED: ", failed, StringComparison.Ordinal);
        Assert.Contains("1 written", r.Output);
        Assert.Contains("1 failed", r.Output);
    }

    [Fact]
    public void NoCommand_IsBadInput()
    {
        CliResult r = CliRunner.Invoke([]);
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("eventssm --help", r.Error);
    }
}
