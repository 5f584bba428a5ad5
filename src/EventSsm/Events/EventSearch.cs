namespace EventSsm.Events;

/// <summary>searchsorted over any sorted time sequence given by an accessor (file records or arrays).</summary>
internal static class EventSearch
{
    /// <summary>First index in [0, count) whose time is ≥ <paramref name="timeUs"/> (strict: &gt;), or count.</summary>
    public static long Bound(long count, long timeUs, bool right, Func<long, long> timeAt)
    {
        long lo = 0;
        long hi = count;
        while (lo < hi)
        {
            long mid = lo + ((hi - lo) >> 1);
            long t = timeAt(mid);
            if (t < timeUs || (right && t == timeUs))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
