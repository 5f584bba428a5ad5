using EventSsm.Labels;

namespace EventSsm.Rendering;

/// <summary>
/// Boxes grouped by time for "latest label time ≤ T" queries: a frame whose window ends at T shows the boxes of the
/// latest time t ≤ T that is less than one step old, so a 20 Hz label stays on screen for one step and then goes.
/// </summary>
internal sealed class BoxTimeline
{
    private readonly long[] _times;
    private readonly List<BoundingBox>[] _groups;

    public BoxTimeline(IReadOnlyList<BoundingBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        SortedDictionary<long, List<BoundingBox>> byTime = [];
        foreach (BoundingBox b in boxes)
        {
            if (!byTime.TryGetValue(b.T, out List<BoundingBox>? g))
            {
                byTime[b.T] = g = [];
            }
            g.Add(b);
        }
        _times = byTime.Keys.ToArray();
        _groups = byTime.Values.ToArray();
    }

    public long LastTime => _times.Length > 0 ? _times[^1] : 0;

    /// <summary>The boxes of the latest time t ≤ <paramref name="t"/> with t − time &lt; <paramref name="maxAge"/>.</summary>
    public IReadOnlyList<BoundingBox> At(long t, long maxAge)
    {
        int i = Array.BinarySearch(_times, t);
        if (i < 0)
        {
            i = ~i - 1;
        }
        return i >= 0 && t - _times[i] < maxAge ? _groups[i] : [];
    }
}
