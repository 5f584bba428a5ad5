using EventSsm.Inference;
using EventSsm.Workflows.Benchmarks;

namespace EventSsm.Tests.Inference;

public sealed class LatencyStatsTests
{
    [Fact]
    public void From_UsesNearestRankPercentiles()
    {
        double[] samples = [.. Enumerable.Range(1, 20).Select(i => (double)(21 - i))];
        LatencyStats s = LatencyStats.From(samples);
        Assert.Equal((10.0, 19.0, 1.0, 20), (s.P50Ms, s.P95Ms, s.MinMs, s.Count));
    }

    [Fact]
    public void From_NoSamples_Throws() => Assert.Throws<ArgumentException>(() => LatencyStats.From([]));

    [Fact]
    public void Options_RejectUnknownModel() =>
        Assert.Throws<ArgumentException>(() => new DetectorBenchmarkOptions(Model: "huge").Validate());
}
