using BenchmarkDotNet.Attributes;
using EventSsm.Synthetic;

namespace EventSsm.Bench;

/// <summary>Synthesis speed of one default Gen1-sized sequence (304×240, textured background, noise on).</summary>
[MemoryDiagnoser]
public class SyntheticBenchmarks
{
    [Params(10)]
    public int Seconds { get; set; }

    [Benchmark]
    public int Synthesize() =>
        SceneSimulator.Generate(new SceneOptions { DurationUs = Seconds * 1_000_000L, Seed = 1 }).Events.Count;
}
