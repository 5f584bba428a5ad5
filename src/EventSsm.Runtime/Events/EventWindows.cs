using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// Ways to walk a recording with bounded memory. Every enumerator decodes into one <see cref="EventBuffer"/> that it
/// reuses, so a yielded <see cref="EventArray"/> is valid only until the next item is requested: copy it
/// (<see cref="EventArray.Slice"/>) to keep it.
/// </summary>
public static class EventWindows
{
    /// <summary>
    /// Index range of the window ending at <paramref name="endUs"/> (docs/DATA.md §2.4, DURATION mode):
    /// start = searchsorted(t, T−dt, left), end = searchsorted(t, T, right), so both T−dt and T are included.
    /// </summary>
    public static (long Start, long End) Range(IEventReader reader, long endUs, long dtUs)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegative(dtUs);
        long end = reader.UpperBound(endUs);
        long start = reader.LowerBound(endUs - dtUs);
        return (start, end);
    }

    /// <summary>Reads the closed window [T−dt, T] into <paramref name="buffer"/>.</summary>
    public static EventWindow Read(IEventReader reader, long endUs, long dtUs, EventBuffer buffer)
    {
        (long start, long end) = Range(reader, endUs, dtUs);
        return new EventWindow(endUs, start, end, reader.Read(start, ToCount(end - start, reader), buffer));
    }

    /// <summary>The closed windows [T−dt, T] for each T in <paramref name="endsUs"/>, in the given order.</summary>
    public static IEnumerable<EventWindow> Closed(IEventReader reader, IEnumerable<long> endsUs, long dtUs, EventBuffer? buffer = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(endsUs);
        ArgumentOutOfRangeException.ThrowIfNegative(dtUs);
        return Iterate();

        IEnumerable<EventWindow> Iterate()
        {
            EventBuffer buf = buffer ?? new EventBuffer(reader.Width, reader.Height);
            foreach (long end in endsUs)
            {
                yield return Read(reader, end, dtUs, buf);
            }
        }
    }

    /// <summary>Consecutive chunks of at most <paramref name="maxEvents"/> events, from the first event to the last.</summary>
    public static IEnumerable<EventArray> ByCount(IEventReader reader, int maxEvents, EventBuffer? buffer = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        return Iterate();

        IEnumerable<EventArray> Iterate()
        {
            EventBuffer buf = buffer ?? new EventBuffer(reader.Width, reader.Height);
            for (long at = 0; at < reader.Count; at += maxEvents)
            {
                yield return reader.Read(at, (int)Math.Min(maxEvents, reader.Count - at), buf);
            }
        }
    }

    /// <summary>
    /// Consecutive half-open slices [t0 + k·Δ, t0 + (k+1)·Δ) from the first event's time t0 to the last event, as
    /// Prophesee's <c>load_delta_t</c> walks a file. Empty slices in gaps are yielded too, so slice k always starts
    /// at t0 + k·Δ.
    /// </summary>
    public static IEnumerable<EventArray> ByDuration(IEventReader reader, long deltaUs, EventBuffer? buffer = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(deltaUs);
        return Iterate();

        IEnumerable<EventArray> Iterate()
        {
            EventBuffer buf = buffer ?? new EventBuffer(reader.Width, reader.Height);
            if (reader.Count == 0)
            {
                yield break;
            }
            long from = reader.TimeAt(0);
            long at = 0;
            while (at < reader.Count)
            {
                long next = reader.LowerBound(from + deltaUs);
                yield return reader.Read(at, ToCount(next - at, reader), buf);
                at = next;
                from += deltaUs;
            }
        }
    }

    /// <summary>Window ends every <paramref name="stepUs"/> from <paramref name="firstUs"/> up to and including <paramref name="lastUs"/>.</summary>
    public static long[] RegularEnds(long firstUs, long lastUs, long stepUs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepUs);
        if (lastUs < firstUs)
        {
            return [];
        }
        long n = (lastUs - firstUs) / stepUs + 1;
        if (n > Array.MaxLength)
        {
            throw new ArgumentException($"{n} windows are too many; use a larger step");
        }
        var ends = new long[n];
        for (long i = 0; i < n; i++)
        {
            ends[i] = firstUs + i * stepUs;
        }
        return ends;
    }

    /// <summary>
    /// Window ends on the grid k·step (k ≥ 1) that cover the whole recording: from the first grid point at or after
    /// the first event to the first at or after the last event. Empty for an empty recording.
    /// </summary>
    public static long[] CoveringEnds(IEventReader reader, long stepUs)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepUs);
        if (reader.Count == 0)
        {
            return [];
        }
        long first = Math.Max(stepUs, CeilTo(reader.TimeAt(0), stepUs));
        long last = Math.Max(first, CeilTo(reader.TimeAt(reader.Count - 1), stepUs));
        return RegularEnds(first, last, stepUs);
    }

    private static long CeilTo(long t, long step) => (t + step - 1) / step * step;

    private static int ToCount(long n, IEventReader reader)
    {
        if (n > Array.MaxLength)
        {
            throw new UnsupportedDataException(reader.Name, $"a window of {n} events does not fit one buffer; use a shorter window");
        }
        return (int)n;
    }
}
