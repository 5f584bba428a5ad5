using EventSsm.IO;

namespace EventSsm.Tests.IO;

public sealed class FileInspectorTests
{
    [Fact]
    public void Describe_GoldenDat_CountsAndRange()
    {
        IReadOnlyList<string> lines = FileInspector.Describe(Fixtures.Golden("events", "gen1_synth_a_td.dat"));
        Assert.Contains("sensor: 304×240 (W×H)", lines);
        Assert.Contains("events: 304,659", lines);
        Assert.Contains("polarity: ON 152,906, OFF 151,753", lines);
        Assert.Contains(lines, l => l.StartsWith("time: 0 … 5,999,958 µs", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_NpzAndNpy_DTypesAndShapes()
    {
        IReadOnlyList<string> npz = FileInspector.Describe(Fixtures.Golden("events", "stacked_hist.npz"));
        Assert.Contains("  shape: (21, 20, 240, 304)", npz);
        Assert.Contains("  dtype: |u1", npz);
        IReadOnlyList<string> npy = FileInspector.Describe(Fixtures.Golden("events", "gen1_synth_a_bbox.npy"));
        Assert.Contains("shape: (496,)", npy);
        Assert.Contains("  field 'class_confidence': <f4 at byte 25", npy);
    }

    [Fact]
    public void Describe_UnknownExtension_Throws()
    {
        Assert.Throws<NotSupportedException>(() => FileInspector.Describe(Fixtures.Golden("events", "info.json")));
    }
}
