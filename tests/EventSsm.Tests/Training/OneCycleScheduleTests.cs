using EventSsm.Training;

namespace EventSsm.Tests.Training;

public sealed class OneCycleScheduleTests
{
    [Fact]
    public void OriginalGen1Schedule_HitsItsLandmarks()
    {
        var s = new OneCycleSchedule(2e-4, 400_000);
        Assert.Equal(2e-4 / 20, s.LearningRate(0), 15);
        Assert.Equal(1999, s.WarmupEndStep);
        Assert.Equal(2e-4, s.LearningRate(1999), 15);
        Assert.Equal(2e-4 / 10_000, s.LearningRate(399_999), 15);
        // Linear in between: halfway through warm-up is the midpoint of initial and max.
        Assert.Equal((2e-4 / 20 + 2e-4) / 2, s.LearningRate(1999 / 2) + ((2e-4 - 2e-4 / 20) * 0.5 / 1999), 12);
    }

    [Fact]
    public void IsMonotoneUpThenDown()
    {
        var s = new OneCycleSchedule(1e-3, 1000, pctStart: 0.1);
        double[] lr = Enumerable.Range(0, 1000).Select(i => s.LearningRate(i)).ToArray();
        int peak = Array.IndexOf(lr, lr.Max());
        Assert.Equal(99, peak);
        Assert.True(lr.Take(peak + 1).Zip(lr.Skip(1).Take(peak)).All(p => p.First < p.Second));
        Assert.True(lr.Skip(peak).Zip(lr.Skip(peak + 1)).All(p => p.First > p.Second));
    }

    [Theory]
    [InlineData(0.05, 20)]
    [InlineData(0.005, 200)]
    [InlineData(0.5, 2)]
    public void WarmupEndingAtStepZero_StartsAtThePeakInsteadOfNaN(double pctStart, long total)
    {
        // pct_start·total = 1: the warm-up's last step is step 0, where PyTorch divides 0 by 0.
        var s = new OneCycleSchedule(1e-3, total, pctStart);
        Assert.Equal(0, s.WarmupEndStep);
        Assert.Equal(1e-3, s.LearningRate(0));
        Assert.All(Enumerable.Range(0, (int)total).Select(i => s.LearningRate(i)), lr => Assert.True(double.IsFinite(lr) && lr > 0));
        Assert.Equal(1e-3 / 20 / 500, s.LearningRate(total - 1), 15);
    }

    [Fact]
    public void RejectsStepsOutsideTheSchedule()
    {
        var s = new OneCycleSchedule(1e-3, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.LearningRate(11));
    }
}
