using EventSsm.Events;
using EventSsm.Representations;

namespace EventSsm.Tests.Representations;

public sealed class VoxelGridTests
{
    [Fact]
    public void Build_HandComputedBilinearInTime()
    {
        // 3 bins, t0 = 1000, t1 = 1400 → τ = 2·Δt/400.
        // e0: ON  at (0,0), τ = 0    → +1 to bin 0 (bin 1 gets 0).
        // e1: OFF at (1,0), τ = 0.5  → −0.5 to bins 0 and 1.
        // e2: ON  at (1,0), τ = 1.5  → +0.5 to bins 1 and 2.
        // e3: ON  at (0,0), τ = 2    → +1 to bin 2 (k+1 = 3 is outside).
        var ev = new EventArray([0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 1], [1000, 1100, 1300, 1400], 2, 1);
        var v = new float[3 * 2];
        new VoxelGrid(1, 2, bins: 3).Build(ev, v);
        Assert.Equal([1f, -0.5f, 0f, 0f, 1f, 0.5f], v);
    }

    [Fact]
    public void Build_SingleTimestamp_GoesToBinZero()
    {
        var ev = new EventArray([0, 0], [0, 0], [1, 1], [5, 5], 1, 1);
        var v = new float[4];
        new VoxelGrid(1, 1, bins: 4).Build(ev, v);
        Assert.Equal([2f, 0f, 0f, 0f], v);
    }

    [Fact]
    public void Build_Normalize_StandardizesNonZeroCells()
    {
        // Non-zero cells 1, −0.5, 0.5 (zeros stay): mean 1/3, unbiased std = sqrt(((2/3)² + (5/6)² + (1/6)²)/2).
        var ev = new EventArray([0, 1, 1, 0], [0, 0, 0, 0], [1, 0, 1, 1], [1000, 1100, 1300, 1400], 2, 1);
        var v = new float[6];
        new VoxelGrid(1, 2, bins: 3, normalize: true).Build(ev, v);
        double mean = (1 - 0.5 + 0.5 + 1) / 4.0;
        double std = Math.Sqrt((Math.Pow(1 - mean, 2) * 2 + Math.Pow(-0.5 - mean, 2) + Math.Pow(0.5 - mean, 2)) / 3);
        Assert.Equal((float)((1 - mean) / std), v[0], 6);
        Assert.Equal((float)((-0.5 - mean) / std), v[1], 6);
        Assert.Equal(0f, v[2]);
    }
}
