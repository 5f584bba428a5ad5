using System.Runtime.CompilerServices;

namespace EventSsm.Events;

/// <summary>numpy searchsorted ('left', or 'right' with <c>right</c>) over sorted times, in memory or behind an accessor.</summary>
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

    /// <summary>First index of <paramref name="sorted"/> whose time is ≥ <paramref name="timeUs"/> (strict: &gt;), or its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Bound(ReadOnlySpan<long> sorted, long timeUs, bool right)
    {
        int lo = 0;
        int hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            long t = sorted[mid];
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
