using Microsoft.Win32.SafeHandles;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// A seek index for a .raw file, built by one streaming pass (bounded memory): every <see cref="CheckpointBytes"/>
/// bytes of event data it saves the full decoder state, so decoding can restart there and give exactly the events
/// of a decode from the file start, EVT 3.0 vectors and time-high wrap-arounds included. Times are the sorted ones
/// <see cref="EventRecording"/> exposes: each event's time is the running maximum of the decoded times (a .raw
/// stream may step back in time), and every checkpoint carries that maximum so far. Kept in memory: about 80 bytes
/// per checkpoint, at most <see cref="MaxCheckpoints"/> of them.
/// </summary>
public sealed class RawTimeIndex
{
    /// <summary>Smallest default spacing of checkpoints; larger files space them so that there are at most <see cref="MaxCheckpoints"/>.</summary>
    public const long DefaultCheckpointBytes = 64 << 10;

    /// <summary>Most checkpoints an index keeps (their spacing grows with the file).</summary>
    public const int MaxCheckpoints = 1 << 16;

    /// <summary>Bytes decoded per step while indexing or reading: bounds the decode buffer (≤ 12 events per 2 bytes).</summary>
    internal const int PieceBytes = 64 << 10;

    private readonly RawCheckpoint[] _checkpoints;

    private RawTimeIndex(string? name, RawFileHeader header, long length, long checkpointBytes, RawCheckpoint[] checkpoints,
        long count, long lastTimeUs, RawDecodeStats stats)
    {
        Name = name;
        Header = header;
        Length = length;
        CheckpointBytes = checkpointBytes;
        _checkpoints = checkpoints;
        Count = count;
        LastTimeUs = lastTimeUs;
        Stats = stats;
    }

    /// <summary>The file the index describes (error messages).</summary>
    public string? Name { get; }

    /// <summary>The file's header (format, sensor size, where the events start).</summary>
    public RawFileHeader Header { get; }

    /// <summary>File length in bytes when indexed.</summary>
    public long Length { get; }

    /// <summary>Bytes of event words between two checkpoints.</summary>
    public long CheckpointBytes { get; }

    /// <summary>Number of checkpoints kept.</summary>
    public int CheckpointCount => _checkpoints.Length;

    /// <summary>CD events in the file.</summary>
    public long Count { get; }

    /// <summary>Sorted time of the last event (the largest decoded time); undefined for an empty file.</summary>
    public long LastTimeUs { get; }

    /// <summary>What the decoder saw over the whole file.</summary>
    public RawDecodeStats Stats { get; }

    internal ReadOnlySpan<RawCheckpoint> Checkpoints => _checkpoints;

    /// <summary>
    /// Indexes <paramref name="path"/>; <paramref name="width"/>/<paramref name="height"/> override the header's geometry,
    /// <paramref name="checkpointBytes"/> (a multiple of 8, so a word boundary in every format) the spacing.
    /// <paramref name="progress"/> gets the bytes read (task "index") after each piece of at most 64 KiB.
    /// </summary>
    public static RawTimeIndex Build(string path, int? width = null, int? height = null, long? checkpointBytes = null,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellationToken = default)
    {
        RawFileHeader header = RawFileHeader.Read(path, width, height);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        return Build(handle, header, path, checkpointBytes, progress, cancellationToken);
    }

    internal static RawTimeIndex Build(SafeFileHandle handle, RawFileHeader header, string? name, long? checkpointBytes,
        IProgress<ProgressReport>? progress, CancellationToken cancellationToken)
    {
        long length = RandomAccess.GetLength(handle);
        long spacing = checkpointBytes ?? DefaultSpacing(length - header.DataOffset);
        if (spacing <= 0 || spacing % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(checkpointBytes), spacing, "checkpoint spacing must be a positive multiple of 8 bytes");
        }
        RawDecoder decoder = RawDecoder.Create(header, name);
        var events = new GrowableEventBuffer((int)Math.Min(PieceBytes, spacing) / decoder.WordSize * decoder.MaxEventsPerWord);
        var checkpoints = new List<RawCheckpoint>();
        var bytes = new byte[(int)Math.Min(PieceBytes, spacing)];
        long offset = header.DataOffset;
        long count = 0;
        long running = long.MinValue;
        int firstUnknown = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long intoData = offset - header.DataOffset;
            if (intoData % spacing == 0)
            {
                checkpoints.Add(new RawCheckpoint(decoder.SaveState(), count, running, long.MaxValue));
            }
            int want = (int)Math.Min(bytes.Length, spacing - intoData % spacing);
            int got = ReadFull(handle, bytes.AsSpan(0, want), offset);
            if (got == 0)
            {
                decoder.Finish();
                break;
            }
            events.Clear();
            decoder.Decode(bytes.AsSpan(0, got), events);
            if (events.Count > 0)
            {
                long first = Math.Max(running, events.T[0]);
                for (; firstUnknown < checkpoints.Count; firstUnknown++)
                {
                    checkpoints[firstUnknown] = checkpoints[firstUnknown] with { FirstTimeUs = first };
                }
                foreach (long t in events.T.AsSpan(0, events.Count))
                {
                    running = Math.Max(running, t);
                }
                count += events.Count;
            }
            offset += got;
            progress?.Report(new ProgressReport("index", offset, length, ProgressReport.Bytes));
        }
        return new RawTimeIndex(name, header, length, spacing, [.. checkpoints], count, running, decoder.Stats);
    }

    /// <summary>The last checkpoint at or before event <paramref name="index"/>.</summary>
    internal int CheckpointForEvent(long index)
    {
        int lo = 0;
        int hi = _checkpoints.Length;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) >>> 1;
            if (_checkpoints[mid].EventIndex <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>
    /// The last checkpoint whose first event time is &lt; <paramref name="timeUs"/> (≤ when <paramref name="right"/>),
    /// or -1. searchsorted's answer then lies between its event index and the next checkpoint's.
    /// </summary>
    internal int CheckpointBeforeTime(long timeUs, bool right) =>
        (int)EventSearch.Bound(_checkpoints.Length, timeUs, right, k => _checkpoints[k].FirstTimeUs) - 1;

    /// <summary>The event index where checkpoint <paramref name="k"/>'s block ends.</summary>
    internal long BlockEnd(int k) => k + 1 < _checkpoints.Length ? _checkpoints[k + 1].EventIndex : Count;

    /// <summary>Reads up to <paramref name="dst"/>.Length bytes at <paramref name="offset"/>; fewer only at the end of the file.</summary>
    internal static int ReadFull(SafeFileHandle handle, Span<byte> dst, long offset)
    {
        int done = 0;
        while (done < dst.Length)
        {
            int n = RandomAccess.Read(handle, dst[done..], offset + done);
            if (n == 0)
            {
                break;
            }
            done += n;
        }
        return done;
    }

    private static long DefaultSpacing(long dataBytes)
    {
        long perCheckpoint = (dataBytes + MaxCheckpoints - 1) / MaxCheckpoints;
        long rounded = (perCheckpoint + DefaultCheckpointBytes - 1) / DefaultCheckpointBytes * DefaultCheckpointBytes;
        return Math.Max(DefaultCheckpointBytes, rounded);
    }
}
