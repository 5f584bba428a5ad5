using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// Random access to a .raw file (EVT 2.0, 2.1, 3.0) with bounded memory: opening builds a <see cref="RawTimeIndex"/>
/// in one streaming pass; a read or a time search then restarts the decoder at the nearest checkpoint and decodes
/// forward at most one checkpoint spacing past what it needs. Times are the running maximum of the decoded times
/// (the correction RVT applies to its .h5 files), so they are sorted as <see cref="IEventReader"/> requires. Reads are
/// positional and every call decodes with its own decoder, so one reader serves parallel window builders.
/// </summary>
public sealed class RawStreamReader : IEventReader
{
    private readonly SafeFileHandle _handle;
    private readonly ConcurrentBag<Scratch> _scratch = [];

    private RawStreamReader(SafeFileHandle handle, RawTimeIndex index)
    {
        _handle = handle;
        Index = index;
    }

    /// <inheritdoc />
    public string? Name => Index.Name;

    /// <summary>The time index built when the file was opened.</summary>
    public RawTimeIndex Index { get; }

    /// <summary>The file's header (format, sensor size, where the events start).</summary>
    public RawFileHeader Header => Index.Header;

    /// <inheritdoc />
    public int Width => Header.Width;

    /// <inheritdoc />
    public int Height => Header.Height;

    /// <inheritdoc />
    public long Count => Index.Count;

    /// <summary>
    /// Opens and indexes <paramref name="path"/> (see <see cref="RawTimeIndex.Build(string, int?, int?, long?, IProgress{ProgressReport}?, CancellationToken)"/>
    /// for the arguments). The file stays open until the reader is disposed.
    /// </summary>
    public static RawStreamReader Open(string path, int? width = null, int? height = null, long? checkpointBytes = null,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellationToken = default)
    {
        RawFileHeader header = RawFileHeader.Read(path, width, height);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            return new RawStreamReader(handle, RawTimeIndex.Build(handle, header, path, checkpointBytes, progress, cancellationToken));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public long TimeAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (index == Count - 1)
        {
            return Index.LastTimeUs;
        }
        long time = 0;
        Walk(Index.CheckpointForEvent(index), (first, events) =>
        {
            if (index >= first + events.Count)
            {
                return false;
            }
            time = events.T[index - first];
            return true;
        });
        return time;
    }

    /// <inheritdoc />
    public long LowerBound(long timeUs) => Bound(timeUs, right: false);

    /// <inheritdoc />
    public long UpperBound(long timeUs) => Bound(timeUs, right: true);

    /// <inheritdoc />
    public EventArray Read(long start, int count, EventBuffer destination)
    {
        EventBuffer.PrepareRead(this, start, count, destination);
        if (count == 0)
        {
            return destination.View(0);
        }
        long end = start + count;
        Walk(Index.CheckpointForEvent(start), (first, events) =>
        {
            long from = Math.Max(first, start);
            long to = Math.Min(first + events.Count, end);
            if (to > from)
            {
                int src = (int)(from - first);
                int dst = (int)(from - start);
                int n = (int)(to - from);
                events.X.AsSpan(src, n).CopyTo(destination.X.AsSpan(dst));
                events.Y.AsSpan(src, n).CopyTo(destination.Y.AsSpan(dst));
                events.P.AsSpan(src, n).CopyTo(destination.P.AsSpan(dst));
                events.T.AsSpan(src, n).CopyTo(destination.T.AsSpan(dst));
            }
            return first + events.Count >= end;
        });
        return destination.View(count);
    }

    /// <summary>searchsorted: the answer lies in one checkpoint's block, so only that block is decoded.</summary>
    private long Bound(long timeUs, bool right)
    {
        int k = Index.CheckpointBeforeTime(timeUs, right);
        if (k < 0)
        {
            return 0;
        }
        long limit = Index.BlockEnd(k);
        if (Index.Checkpoints[k].EventIndex == limit)
        {
            return limit;
        }
        long found = limit;
        Walk(k, (first, events) =>
        {
            ReadOnlySpan<long> t = events.T.AsSpan(0, events.Count);
            for (int i = 0; i < t.Length && first + i < limit; i++)
            {
                if (t[i] > timeUs || (!right && t[i] == timeUs))
                {
                    found = first + i;
                    return true;
                }
            }
            return first + events.Count >= limit;
        });
        return found;
    }

    /// <summary>
    /// Decodes forward from checkpoint <paramref name="checkpoint"/> one piece at a time, with sorted times, handing each
    /// piece and the index of its first event to <paramref name="piece"/> until it returns true.
    /// </summary>
    private void Walk(int checkpoint, Func<long, GrowableEventBuffer, bool> piece)
    {
        RawCheckpoint cp = Index.Checkpoints[checkpoint];
        RawDecoder decoder = RawDecoder.Create(Header, Name);
        decoder.RestoreState(cp.State);
        if (!_scratch.TryTake(out Scratch? s))
        {
            s = new Scratch(RawTimeIndex.PieceBytes, RawTimeIndex.PieceBytes / decoder.WordSize * decoder.MaxEventsPerWord);
        }
        try
        {
            long first = cp.EventIndex;
            long running = cp.RunningMaxUs;
            long offset = cp.State.Position;
            // The first piece is one checkpoint block (a search needs no more); later pieces double up to the scratch size.
            int want = (int)Math.Min(s.Bytes.Length, Index.CheckpointBytes);
            while (true)
            {
                int got = RawTimeIndex.ReadFull(_handle, s.Bytes.AsSpan(0, want), offset);
                want = Math.Min(s.Bytes.Length, 2 * want);
                if (got == 0)
                {
                    throw new DataFormatException(Name, $"the file ended at byte {offset} before the {Count} events it had when indexed (was it changed while open?)");
                }
                s.Events.Clear();
                decoder.Decode(s.Bytes.AsSpan(0, got), s.Events);
                Span<long> t = s.Events.T.AsSpan(0, s.Events.Count);
                for (int i = 0; i < t.Length; i++)
                {
                    running = Math.Max(running, t[i]);
                    t[i] = running;
                }
                if (piece(first, s.Events))
                {
                    return;
                }
                first += s.Events.Count;
                offset += got;
            }
        }
        finally
        {
            _scratch.Add(s);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    /// <summary>One piece of file bytes and its decoded events, reused across calls (one per concurrent caller).</summary>
    private sealed class Scratch(int bytes, int events)
    {
        public byte[] Bytes { get; } = new byte[bytes];

        public GrowableEventBuffer Events { get; } = new(events);
    }
}
