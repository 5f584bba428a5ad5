using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>A window [Start, End) of µs and the events that fell in it.</summary>
public sealed record RawEventWindow(long Start, long End, EventArray Events);

/// <summary>
/// Streams a .raw file: reads fixed-size byte chunks, decodes them with the format's <see cref="RawDecoder"/> into
/// reused buffers and hands out events per chunk or per time window, so memory stays bounded by one window.
/// </summary>
public sealed class RawEventReader : IDisposable
{
    /// <summary>Bytes read and decoded per chunk by default.</summary>
    public const int DefaultChunkBytes = 1 << 16;

    private readonly FileStream _stream;
    private readonly RawDecoder _decoder;
    private readonly byte[] _chunk;
    private bool _finished;

    private RawEventReader(FileStream stream, RawFileHeader header, RawDecoder decoder, int chunkBytes)
    {
        _stream = stream;
        Header = header;
        _decoder = decoder;
        _chunk = new byte[chunkBytes];
    }

    /// <summary>The file's header (format, sensor size, where the events start).</summary>
    public RawFileHeader Header { get; }

    /// <summary>Counts of the word types decoded so far.</summary>
    public RawDecodeStats Stats => _decoder.Stats;

    /// <summary>Set to collect the external triggers decoded by <see cref="ReadChunk"/> (see <see cref="RawDecoder.Triggers"/>).</summary>
    public List<ExternalTrigger>? Triggers
    {
        get => _decoder.Triggers;
        set => _decoder.Triggers = value;
    }

    /// <summary>File offset of the next byte to decode.</summary>
    public long Position => _decoder.Position;

    /// <summary>Length of the file in bytes.</summary>
    public long Length => _stream.Length;

    /// <summary>Opens a file; <paramref name="width"/>/<paramref name="height"/> override the header's geometry.</summary>
    public static RawEventReader Open(string path, int? width = null, int? height = null, int chunkBytes = DefaultChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 8);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            RawFileHeader header = RawFileHeader.Read(fs, path, width, height);
            return new RawEventReader(fs, header, RawDecoder.Create(header, path), chunkBytes);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes the next byte chunk, appending its CD events to <paramref name="output"/> (possibly none).
    /// Returns false once the file is exhausted; a trailing partial word then raises a DataFormatException.
    /// </summary>
    public bool ReadChunk(GrowableEventBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_finished)
        {
            return false;
        }
        int got = _stream.Read(_chunk, 0, _chunk.Length);
        if (got == 0)
        {
            _finished = true;
            _decoder.Finish();
            return false;
        }
        _decoder.Decode(_chunk.AsSpan(0, got), output);
        return true;
    }

    /// <summary>
    /// Consecutive windows [start + k·w, start + (k+1)·w) up to the last event, empty ones included. A window holds the
    /// events in stream order up to the first one at or after its end (so a stream glitch that steps back in time stays
    /// in order). <paramref name="start"/> defaults to the first event's time rounded down to a multiple of w.
    /// With <paramref name="reuseBuffers"/>, every window's arrays are the same buffer: use or copy it before the next.
    /// </summary>
    public IEnumerable<RawEventWindow> ReadWindows(long windowUs, long? start = null, bool reuseBuffers = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowUs);
        var pending = new GrowableEventBuffer();
        GrowableEventBuffer? reused = reuseBuffers ? new GrowableEventBuffer() : null;
        bool more = true;
        while (pending.Count == 0 && more)
        {
            more = ReadChunk(pending);
        }
        if (pending.Count == 0)
        {
            yield break;
        }
        long windowStart = start ?? Math.DivRem(pending.T[0], windowUs, out long rem) * windowUs - (rem < 0 ? windowUs : 0);
        int scanned = 0;
        while (pending.Count > 0)
        {
            long windowEnd = windowStart + windowUs;
            int cut;
            while ((cut = scanned + pending.FirstAtOrAfter(windowEnd, pending.Count - scanned, scanned)) == pending.Count && more)
            {
                scanned = pending.Count;
                more = ReadChunk(pending);
            }
            EventArray events;
            if (reused is null)
            {
                events = pending.ToEventArray(0, cut, Header.Width, Header.Height);
            }
            else
            {
                reused.Clear();
                reused.EnsureSpace(cut);
                pending.CopyTo(0, cut, reused);
                events = new EventArray(reused.X, reused.Y, reused.P, reused.T, Header.Width, Header.Height, cut);
            }
            pending.RemoveFront(cut);
            scanned = 0;
            yield return new RawEventWindow(windowStart, windowEnd, events);
            windowStart = windowEnd;
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
