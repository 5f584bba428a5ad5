using EventSsm.Events;
using EventSsm.Representations;

namespace EventSsm.Tests.Representations;

public sealed class TimeSurfaceTests
{
    [Fact]
    public void Build_LatestEventPerPolarityAndPixel_DecaysFromWindowEnd()
    {
        // T = 10000, τ = 1000. Pixel 0 ON: events at 7000 and 9000 → latest 9000 → e^−1.
        // Pixel 1 OFF at 10000 → 1. Pixel 1 ON: none → 0. Pixel 0 OFF at 8000 → e^−2.
        var ev = new EventArray([0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 1, 0], [7000, 8000, 9000, 10000], 2, 1);
        var s = new float[4];
        new TimeSurface(1, 2, tauUs: 1000).Build(ev, 10_000, s);
        Assert.Equal((float)Math.Exp(-2), s[0]);
        Assert.Equal(1f, s[1]);
        Assert.Equal((float)Math.Exp(-1), s[2]);
        Assert.Equal(0f, s[3]);
    }

    [Fact]
    public void Constructor_NonPositiveTau_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TimeSurface(1, 1, 0));
    }
}
