namespace EventSsm.Events;

/// <summary>
/// Search and reads for readers whose events sit in blocks of one fixed size (every block full but the last), each
/// decoded on demand, with the first time of every block known up front: the CSV reader's parsed blocks and the
/// Prophesee HDF5 reader's chunks.
/// </summary>
internal static class FixedSizeBlocks
{
    /// <summary>
    /// numpy searchsorted over all events (<paramref name="right"/>: 'right'): the answer lies in the last block that
    /// starts before the time (or at the start of the next block), so only that block is decoded.
    /// </summary>
    public static long Bound(long[] blockFirstTimes, int blockEvents, long timeUs, bool right, Func<int, EventArray> block)
    {
        int k = EventSearch.Bound(blockFirstTimes, timeUs, right) - 1;
        if (k < 0)
        {
            return 0;
        }
        EventArray events = block(k);
        return (long)k * blockEvents + EventSearch.Bound(events.T.AsSpan(0, events.Count), timeUs, right);
    }

    /// <summary>Events [start, start + count) of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static EventArray Read(IEventReader source, long start, int count, int blockEvents, Func<int, EventArray> block,
        EventBuffer destination)
    {
        EventBuffer.PrepareRead(source, start, count, destination);
        int done = 0;
        while (done < count)
        {
            long at = start + done;
            EventArray events = block((int)(at / blockEvents));
            int from = (int)(at % blockEvents);
            int n = Math.Min(count - done, events.Count - from);
            events.X.AsSpan(from, n).CopyTo(destination.X.AsSpan(done));
            events.Y.AsSpan(from, n).CopyTo(destination.Y.AsSpan(done));
            events.P.AsSpan(from, n).CopyTo(destination.P.AsSpan(done));
            events.T.AsSpan(from, n).CopyTo(destination.T.AsSpan(done));
            done += n;
        }
        return destination.View(count);
    }
}
