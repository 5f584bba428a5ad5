using System.Diagnostics;
using System.Text.Json;
using EventSsm.Cli;
using EventSsm.Training;

namespace EventSsm.Tests.Cli;

/// <summary>
/// <c>--allocator</c> starts the command again with the allocator preloaded (docs/PERFORMANCE.md "Allocators"): run
/// as a real process, since the choice is made when the program starts. .ci/run installs tcmalloc and jemalloc.
/// </summary>
public sealed class AllocatorLaunchTests
{
    [Theory]
    [InlineData(HostAllocator.Glibc)]
    [InlineData(HostAllocator.Tcmalloc)]
    [InlineData(HostAllocator.Jemalloc)]
    public void Benchmark_RunsOnTheAllocatorItWasGiven(string allocator)
    {
        using TempDir dir = Fixtures.TempDir();
        string json = Path.Combine(dir.Path, "bench.json");
        (int rc, string error, string output) = RunCli(null, "--allocator", allocator, "benchmark", "--config-dir", TestConfigs.Directory,
            "--height", "64", "--width", "64", "--repeats", "1", "--train-repeats", "1", "--json", json,
            "model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8");
        Assert.True(rc == 0, $"exit code {rc}: {error}");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(allocator, doc.RootElement.GetProperty("Allocator").GetString());
        Assert.True(doc.RootElement.GetProperty("TrainStep").GetProperty("Count").GetInt32() == 1);
        // `train` takes tcmalloc by itself here (.ci/run installs it): a step timed on another allocator says so.
        const string Note = "note: train runs on tcmalloc on this machine; eventssm --allocator tcmalloc benchmark … times that";
        Assert.Equal(allocator != HostAllocator.Tcmalloc, output.Contains(Note, StringComparison.Ordinal));
    }

    [Fact]
    public void APreloadThatDoesNotTakeEffect_IsOneLine_NotALoop()
    {
        // As if this process were the child already started with the library: it must not start yet another.
        (int rc, string error, _) = RunCli(new() { ["EVENTSSM_ALLOCATOR"] = HostAllocator.Tcmalloc, ["LD_PRELOAD"] = "" },
            "--allocator", HostAllocator.Tcmalloc, "config", "--config-dir", TestConfigs.Directory, "dataset=gen1");
        Assert.Equal(1, rc);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --allocator tcmalloc: started again with LD_PRELOAD=", line, StringComparison.Ordinal);
        Assert.EndsWith("but malloc is still glibc's", line, StringComparison.Ordinal);
    }

    [Fact]
    public void InProcess_AnotherAllocator_IsOneLineSayingWhy()
    {
        string line = CliRunner.BadInput("--allocator", HostAllocator.Tcmalloc, "config", "dataset=gen1");
        Assert.Contains("this process runs glibc's malloc", line);
        Assert.Contains("chosen when eventssm starts", line);
        // The running one is accepted in-process.
        Assert.Contains("name: gen1", CliRunner.Run("--allocator", HostAllocator.Glibc, "config", "--config-dir", TestConfigs.Directory, "dataset=gen1", "+experiment/gen1=small.yaml"));
    }

    [Theory]
    [InlineData("train", null, null, HostAllocator.Tcmalloc)]
    [InlineData("demo", null, null, HostAllocator.Tcmalloc)]
    [InlineData("demo", "", null, HostAllocator.Tcmalloc)]
    [InlineData("predict", null, null, HostAllocator.Tcmalloc)]
    [InlineData("validate", null, null, HostAllocator.Tcmalloc)]
    [InlineData("benchmark", null, null, null)]
    [InlineData("config", null, null, null)]
    [InlineData("train", "/usr/lib/libjemalloc.so.2", null, null)]
    [InlineData("train", null, HostAllocator.Tcmalloc, null)]
    public void Automatic_TrainingAndStreamingCommandsTakeTcmalloc_UnlessSomethingElseDecides(string command, string? preload, string? relaunched, string? expected)
    {
        var environment = new Dictionary<string, string?> { ["LD_PRELOAD"] = preload, [AllocatorLaunch.RelaunchedVariable] = relaunched };
        string? installed(string name) => name == HostAllocator.Tcmalloc ? "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4" : null;
        Assert.Equal(expected, AllocatorLaunch.Automatic(command, key => environment.GetValueOrDefault(key), installed));
        // Not installed: glibc, whatever the command.
        Assert.Null(AllocatorLaunch.Automatic(command, key => environment.GetValueOrDefault(key), _ => null));
    }

    [Fact]
    public void Requested_ForTrain_IsTcmallocWhenInstalled_AndGlibcOptsOut()
    {
        // .ci/run installs tcmalloc; this process runs on glibc.
        Assert.NotNull(HostAllocator.Find(HostAllocator.Tcmalloc));
        string[] train = ["train", "dataset=gen1", "+experiment/gen1=small.yaml"];
        Assert.Equal(HostAllocator.Tcmalloc, AllocatorLaunch.Requested(train));
        Assert.Null(AllocatorLaunch.Requested(["--allocator", HostAllocator.Glibc, .. train]));
        Assert.Equal(HostAllocator.Jemalloc, AllocatorLaunch.Requested(["--allocator", HostAllocator.Jemalloc, .. train]));
        Assert.Null(AllocatorLaunch.Requested(["config", "dataset=gen1"]));
        // Help needs no allocator: it is printed here, without a second process.
        Assert.Null(AllocatorLaunch.Requested(["train", "--help"]));
    }

    [Fact]
    public void UnknownAllocator_IsOneLineListingTheChoices()
    {
        string line = CliRunner.BadInput("--allocator", "mimalloc", "config", "dataset=gen1");
        Assert.Contains("'mimalloc'", line);
        Assert.Contains("'glibc' 'tcmalloc' 'jemalloc'", line);
    }

    private static (int ExitCode, string Error, string Output) RunCli(Dictionary<string, string>? environment, params string[] args)
    {
        ProcessStartInfo psi = CliRunner.ProcessStart(args);
        foreach ((string key, string value) in environment ?? [])
        {
            psi.Environment[key] = value;
        }
        using Process p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, error, output.Result);
    }
}
