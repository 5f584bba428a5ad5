using System.Text.Json;

namespace EventSsm.Tests.Cli;

/// <summary>The runtime settings the eventssm program ships with (docs/PERFORMANCE.md "Tiered compilation").</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void TheCli_CompilesOptimisedFromTheFirstCall()
    {
        // The Cli's own runtimeconfig.json, copied next to the tests with its assembly.
        string path = Path.Combine(AppContext.BaseDirectory, "EventSsm.Cli.runtimeconfig.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement properties = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(properties.GetProperty("System.Runtime.TieredCompilation.QuickJit").GetBoolean());
    }
}
