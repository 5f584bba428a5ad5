using System.CommandLine;
using EventSsm.Cli;

namespace EventSsm.Tests.Cli;

/// <summary>The options several commands share (<see cref="SharedOptions"/>): defined once, present where they apply.</summary>
public sealed class SharedOptionsTests
{
    public static TheoryData<string, string[]> SharedByCommand => new()
    {
        { "train", ["--config-dir", "--device", "--threads"] },
        { "validate", ["--config-dir", "--checkpoint", "--device", "--threads", "--precision"] },
        { "predict", ["--config-dir", "--checkpoint", "--device", "--threads", "--precision"] },
        { "view", ["--config-dir", "--checkpoint", "--device", "--threads", "--precision"] },
        { "benchmark", ["--config-dir", "--device", "--threads", "--precision"] },
        { "frequency-sweep", ["--config-dir", "--checkpoint", "--device", "--threads", "--precision"] },
        { "forward", ["--config-dir", "--checkpoint", "--threads"] },
        { "demo", ["--config-dir", "--threads"] },
        { "config", ["--config-dir"] },
        { "s5-example", ["--threads"] },
    };

    [Theory]
    [MemberData(nameof(SharedByCommand))]
    public void ModelCommands_HaveTheSharedOptions(string command, string[] shared)
    {
        Command c = Program.BuildRoot().Subcommands.Single(s => s.Name == command);
        string[] names = [.. c.Options.Select(o => o.Name)];
        Assert.All(shared, name => Assert.Contains(name, names));
        Assert.DoesNotContain("--configs", names);
    }

    [Fact]
    public void Verbose_IsOnTheRoot_ForEveryCommand()
    {
        Option verbose = Program.BuildRoot().Options.Single(o => o.Name == SharedOptions.VerboseName);
        Assert.True(verbose.Recursive);
    }

    [Fact]
    public void Allocator_IsOnTheRoot_ForEveryCommand()
    {
        Option allocator = Program.BuildRoot().Options.Single(o => o.Name == SharedOptions.AllocatorName);
        Assert.True(allocator.Recursive);
    }

    [Fact]
    public void Device_Unknown_IsBadInputNamingTheChoices()
    {
        string error = CliRunner.BadInput("benchmark", "--device", "tpu");
        Assert.Contains("--device tpu: expected cpu or cuda", error);
    }

    [Fact]
    public void Threads_Negative_IsBadInput()
    {
        Assert.Contains("--threads", CliRunner.BadInput("benchmark", "--threads", "-1"));
    }

    [Fact]
    public void ConfigDir_NotAConfigsFolder_IsBadInputNamingIt()
    {
        using TempDir dir = Fixtures.TempDir();
        string error = CliRunner.BadInput("config", "dataset=gen1", "--config-dir", dir.Path);
        Assert.Contains(dir.Path, error, StringComparison.Ordinal);
        Assert.Contains("not a configs folder", error);
    }
}
