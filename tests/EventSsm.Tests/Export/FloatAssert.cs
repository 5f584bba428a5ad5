namespace EventSsm.Tests.Export;

/// <summary>Element-wise comparisons of flat float arrays, reporting the worst element.</summary>
internal static class FloatAssert
{
    /// <summary>|actual − expected| ≤ abs + rel·|expected| everywhere.</summary>
    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double abs, double rel, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        double worst = double.NegativeInfinity;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs((double)actual[i] - expected[i]) - (abs + rel * Math.Abs((double)expected[i]));
            if (double.IsNaN(excess) || excess > worst)
            {
                worst = double.IsNaN(excess) ? double.PositiveInfinity : excess;
                at = i;
            }
        }
        Assert.True(worst <= 0, $"{what}: element {at} is {(at >= 0 ? actual[at] : 0)}, expected {(at >= 0 ? expected[at] : 0)} (tolerance {abs:G3} + {rel:G3}·|ref|)");
    }
}
