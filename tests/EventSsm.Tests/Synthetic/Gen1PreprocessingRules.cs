using EventSsm.Labels;

namespace EventSsm.Tests.Synthetic;

/// <summary>
/// The Gen1 label filters and label-frame selection of the original preprocessing (docs/DATA.md §2.1–2.2),
/// re-stated here only to check that synthetic labels are usable; the real implementation lives elsewhere.
/// </summary>
internal static class Gen1PreprocessingRules
{
    /// <summary>docs/DATA.md §2.1 crop to the field of view (float32) and the Gen1 size filter.</summary>
    public static BoundingBox[] FilterLabels(IEnumerable<BoundingBox> boxes, int width, int height)
    {
        var kept = new List<BoundingBox>();
        foreach (BoundingBox b in boxes)
        {
            float x0 = Math.Clamp(b.X, 0, width - 1);
            float y0 = Math.Clamp(b.Y, 0, height - 1);
            float x1 = Math.Clamp(b.X + b.W, 0, width - 1);
            float y1 = Math.Clamp(b.Y + b.H, 0, height - 1);
            float w = x1 - x0;
            float h = y1 - y0;
            if (w > 0 && h > 0 && w * w + h * h >= 900 && w >= 10 && h >= 10 && w <= 9 * width / 10)
            {
                kept.Add(b with { X = x0, Y = y0, W = w, H = h });
            }
        }
        return kept.ToArray();
    }

    /// <summary>docs/DATA.md §2.2 with the Gen1 base period of 250 ms.</summary>
    public static long[] SelectFrames(long[] uniqueSortedTimes)
    {
        const long basePeriod = 250_000;
        int first = Array.FindIndex(uniqueSortedTimes, u => u >= 100_000);
        if (first < 0)
        {
            return [];
        }
        var frames = new List<long> { uniqueSortedTimes[first] };
        for (int i = first + 1; i < uniqueSortedTimes.Length; i++)
        {
            long u = uniqueSortedTimes[i];
            long r = frames[^1];
            double c = Math.Round((u - r) / (double)basePeriod, MidpointRounding.ToEven);
            if (Math.Abs(u - r - c * basePeriod) <= 2000)
            {
                Assert.True(c > 0);
                frames.Add(u);
            }
        }
        return frames.ToArray();
    }
}
