namespace EventSsm.Events;

/// <summary>
/// Events as a struct of arrays: x, y (pixels), p (polarity 0 = OFF, 1 = ON), t (µs), plus the sensor size they
/// belong to. Arrays are owned by the instance; <see cref="Count"/> may be smaller than the arrays' capacity.
/// </summary>
public sealed class EventArray
{
    /// <summary>
    /// Wraps the arrays (not copied); the first <paramref name="count"/> entries (default: all) are the events.
    /// </summary>
    public EventArray(ushort[] x, ushort[] y, byte[] p, long[] t, int width, int height, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(t);
        int n = count ?? x.Length;
        if (n < 0 || x.Length < n || y.Length < n || p.Length < n || t.Length < n)
        {
            throw new ArgumentException($"arrays are shorter than the event count {n}");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        X = x;
        Y = y;
        P = p;
        T = t;
        Width = width;
        Height = height;
        Count = n;
    }

    /// <summary>Column of each event, 0 … <see cref="Width"/> − 1.</summary>
    public ushort[] X { get; }

    /// <summary>Row of each event, 0 … <see cref="Height"/> − 1.</summary>
    public ushort[] Y { get; }

    /// <summary>Polarity of each event: 0 = OFF (darker), 1 = ON (brighter).</summary>
    public byte[] P { get; }

    /// <summary>Time of each event in microseconds, non-decreasing.</summary>
    public long[] T { get; }

    /// <summary>Sensor width in pixels.</summary>
    public int Width { get; }

    /// <summary>Sensor height in pixels.</summary>
    public int Height { get; }

    /// <summary>Number of events (the arrays may be longer).</summary>
    public int Count { get; }

    /// <summary>No events, for a sensor of the given size.</summary>
    public static EventArray Empty(int width, int height) => new([], [], [], [], width, height);

    /// <summary>Zero-filled arrays for <paramref name="capacity"/> events, all counted.</summary>
    public static EventArray Allocate(int capacity, int width, int height) =>
        new(new ushort[capacity], new ushort[capacity], new byte[capacity], new long[capacity], width, height, capacity);

    /// <summary>A copy of events [start, start+length).</summary>
    public EventArray Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Count);
        return new EventArray(X.AsSpan(start, length).ToArray(), Y.AsSpan(start, length).ToArray(),
            P.AsSpan(start, length).ToArray(), T.AsSpan(start, length).ToArray(), Width, Height);
    }

    /// <summary>Index of the first event with t ≥ <paramref name="time"/> (numpy searchsorted 'left'; t must be sorted).</summary>
    public int LowerBound(long time) => EventSearch.Bound(T.AsSpan(0, Count), time, right: false);

    /// <summary>Index of the first event with t &gt; <paramref name="time"/> (numpy searchsorted 'right').</summary>
    public int UpperBound(long time) => EventSearch.Bound(T.AsSpan(0, Count), time, right: true);

    /// <summary>Concatenates event arrays of the same sensor.</summary>
    public static EventArray Concat(IReadOnlyList<EventArray> parts, int width, int height)
    {
        int n = 0;
        foreach (EventArray a in parts)
        {
            n = checked(n + a.Count);
        }
        EventArray r = Allocate(n, width, height);
        int at = 0;
        foreach (EventArray a in parts)
        {
            a.X.AsSpan(0, a.Count).CopyTo(r.X.AsSpan(at));
            a.Y.AsSpan(0, a.Count).CopyTo(r.Y.AsSpan(at));
            a.P.AsSpan(0, a.Count).CopyTo(r.P.AsSpan(at));
            a.T.AsSpan(0, a.Count).CopyTo(r.T.AsSpan(at));
            at += a.Count;
        }
        return r;
    }
}
