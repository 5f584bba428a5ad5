using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using EventSsm.IO;
using EventSsm.IO.Hdf5;
using Microsoft.Win32.SafeHandles;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace EventSsm.Events;

/// <summary>
/// Metavision's HDF5 event files (.hdf5/.h5, docs/FORMATS.md §1): CD events in <c>/CD/events</c>, one
/// ECF block per chunk, external triggers in <c>/EXT_TRIGGER/events</c>, metadata as root string attributes.
/// <para>
/// Chunks are fetched the way Metavision's own reader does — raw bytes located through the chunk B-tree, then
/// decoded here — so the per-chunk filter mask is honoured (a chunk stored unfiltered is plain records) and a short
/// last block is fine; files with another chunk index go through PureHDF and <see cref="EcfH5Filter"/>. Events in
/// chunk k are min(N, extent − k·chunk) (a filter-pipeline writer encodes the padding of the last chunk too).
/// </para>
/// <para>
/// Memory stays bounded: opening reads the chunk table and each chunk's first time (12 bytes per chunk); a search
/// is a binary search over those, then one chunk; reads decode only the chunks they touch (a few are cached).
/// Times are as stored (Metavision's optional <c>time_shift</c> is not subtracted, as for .raw). ECF times never
/// decrease inside a block; should a chunk overlap the next one in time, its times are clamped to
/// [its first time, the next chunk's first time] (both running maxima) so the recording stays sorted;
/// <see cref="ClampedEvents"/> counts such changes.
/// </para>
/// </summary>
public sealed partial class PropheseeHdf5Reader : IEventReader
{
    /// <summary>The CD events dataset of a Metavision HDF5 file.</summary>
    public const string EventsDataset = "CD/events";
    /// <summary>The external trigger dataset of a Metavision HDF5 file.</summary>
    public const string TriggersDataset = "EXT_TRIGGER/events";
    private const int CachedChunks = 4;

    private readonly NativeFile _file;
    private readonly NativeDataset _events;
    private readonly NativeDataset? _triggers;
    private readonly Hdf5ChunkIndex? _index;
    private readonly SafeFileHandle? _handle;
    private readonly long[] _firstTime;
    private readonly Lock _gate = new();
    private readonly LinkedList<DecodedChunk> _cache = new();
    private long _clamped;

    private PropheseeHdf5Reader(string path, NativeFile file, NativeDataset events, NativeDataset? triggers,
        Hdf5ChunkIndex? index, SafeFileHandle? handle, long count, int chunkEvents, SensorSize size,
        IReadOnlyDictionary<string, string> attributes, long triggerCount)
    {
        Name = path;
        _file = file;
        _events = events;
        _triggers = triggers;
        _index = index;
        _handle = handle;
        Count = count;
        ChunkEvents = chunkEvents;
        Width = size.Width;
        Height = size.Height;
        Attributes = attributes;
        TriggerCount = triggerCount;
        _firstTime = new long[ChunkCount];
    }

    /// <inheritdoc />
    public string? Name { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public long Count { get; }

    /// <summary>Events per chunk of <c>/CD/events</c> (16384 as Metavision writes them).</summary>
    public int ChunkEvents { get; }

    /// <summary>Number of chunks of <c>/CD/events</c>.</summary>
    public int ChunkCount => (int)((Count + ChunkEvents - 1) / ChunkEvents);

    /// <summary>"direct" (chunks located through the version-1 B-tree) or "PureHDF" (another chunk index).</summary>
    public string ChunkAccess => _index is null ? "PureHDF" : "direct";

    /// <summary>The root attributes, as strings.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The <c>time_shift</c> attribute (µs) Metavision subtracts when asked to; null when absent.</summary>
    public long? TimeShiftUs =>
        Attributes.TryGetValue("time_shift", out string? v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long s) ? s : null;

    /// <summary>Number of external triggers (0 when the file has no <c>/EXT_TRIGGER/events</c>).</summary>
    public long TriggerCount { get; }

    /// <summary>Events whose time was clamped so far because their chunk overlaps the next one in time.</summary>
    public long ClampedEvents => Interlocked.Read(ref _clamped);

    /// <summary>Whether <paramref name="path"/> is an HDF5 file with Metavision's <c>/CD/events</c>.</summary>
    public static bool IsPropheseeHdf5(string path)
    {
        using NativeFile file = Hdf5Access.Open(path);
        return Hdf5Access.Guard(path, () => file.LinkExists("CD") && file.Get("CD") is NativeGroup cd && cd.LinkExists("events"));
    }

    /// <summary>
    /// Opens <paramref name="path"/>; the sensor size comes from the <c>geometry</c> attribute, else
    /// <paramref name="defaultSize"/>.
    /// </summary>
    public static PropheseeHdf5Reader Open(string path, SensorSize? defaultSize = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        NativeFile file = Hdf5Access.Open(path);
        SafeFileHandle? handle = null;
        try
        {
            PropheseeHdf5Reader reader = Hdf5Access.Guard(path, () =>
            {
                NativeDataset events = EventsOf(file, path);
                CheckRecordType(events, path, EventsDataset, 16, ("x", 0, 2), ("y", 2, 2), ("p", 4, 2), ("t", 8, 8));
                NativeDataset? triggers = TriggersOf(file, path);
                IReadOnlyDictionary<string, string> attributes = ReadAttributes(file);
                SensorSize size = SizeOf(attributes, defaultSize, path);
                ulong extent = Hdf5Access.Dims(events)[0];
                if (events.Layout.Class != H5DataLayoutClass.Chunked || events.Layout.Chunks is not [var chunk] || chunk is 0 or > 1 << 20)
                {
                    throw new DataFormatException(path, $"{EventsDataset} is not stored in 1-D chunks of at most 2^20 events");
                }
                // Every chunk holds at least one event in at least 16 bytes: a larger extent is corrupt (and would
                // allocate a huge table below).
                ulong chunks = (extent + chunk - 1) / chunk;
                if (chunks > (ulong)new FileInfo(path).Length / 16 + 1)
                {
                    throw new DataFormatException(path, $"{EventsDataset} claims {extent} events in {chunks} chunks, more than the file can hold");
                }
                Hdf5ChunkIndex? index = Hdf5ChunkIndex.Open(path, events);
                if (index is not null)
                {
                    handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
                }
                long triggerCount = triggers is null ? 0 : (long)Hdf5Access.Dims(triggers)[0];
                return new PropheseeHdf5Reader(path, file, events, triggers, index, handle, (long)extent, (int)chunk,
                    size, attributes, triggerCount);
            });
            Hdf5Access.Guard(path, reader.ReadFirstTimes);
            return reader;
        }
        catch
        {
            handle?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static NativeDataset EventsOf(NativeFile file, string path)
    {
        if (!file.LinkExists("CD") || file.Get("CD") is not NativeGroup cd)
        {
            throw new DataFormatException(path, "HDF5 group 'CD' is missing (not a Metavision HDF5 event file)");
        }
        NativeDataset events = Hdf5Access.Dataset(cd, "events", path);
        if (Hdf5Access.Dims(events).Length != 1)
        {
            throw new DataFormatException(path, $"{EventsDataset} is not a 1-D dataset");
        }
        return events;
    }

    private static NativeDataset? TriggersOf(NativeFile file, string path)
    {
        if (!file.LinkExists("EXT_TRIGGER") || file.Get("EXT_TRIGGER") is not NativeGroup g || !g.LinkExists("events"))
        {
            return null;
        }
        NativeDataset triggers = Hdf5Access.Dataset(g, "events", path);
        if (Hdf5Access.Dims(triggers).Length != 1)
        {
            throw new DataFormatException(path, $"{TriggersDataset} is not a 1-D dataset");
        }
        CheckRecordType(triggers, path, TriggersDataset, 24, ("p", 0, 2), ("t", 8, 8), ("id", 16, 2));
        return triggers;
    }

    /// <summary>The compound layouts of docs/FORMATS.md §1 (native little-endian C structs).</summary>
    private static void CheckRecordType(NativeDataset d, string path, string name, int size, params (string Name, int Offset, int Size)[] members)
    {
        if (d.Type.Class != H5DataTypeClass.Compound || d.Type.Size != size)
        {
            throw new UnsupportedDataException(path, $"{name} has type {d.Type.Class} of {d.Type.Size} bytes; Metavision writes {size}-byte records");
        }
        foreach ((string member, int offset, int bytes) in members)
        {
            CompoundMember? m = d.Type.Compound.Members.FirstOrDefault(m => m.Name == member);
            if (m is null || m.Offset != offset || m.Type.Size != bytes)
            {
                throw new UnsupportedDataException(path, $"{name} has no {bytes}-byte member '{member}' at byte {offset}");
            }
        }
    }

    private static IReadOnlyDictionary<string, string> ReadAttributes(NativeFile file)
    {
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (IH5Attribute a in file.Attributes())
        {
            // Fixed-length strings (Python prototype) and variable-length ones (C++ writer), scalar.
            if (a.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength && a.Space.Type == H5DataspaceType.Scalar)
            {
                attributes[a.Name] = (a.Read<string>() ?? "").TrimEnd('\0');
            }
        }
        return attributes;
    }

    [GeneratedRegex(@"^\s*(\d+)\s*x\s*(\d+)\s*$")]
    private static partial Regex GeometryPattern();

    private static SensorSize SizeOf(IReadOnlyDictionary<string, string> attributes, SensorSize? fallback, string path)
    {
        if (!attributes.TryGetValue("geometry", out string? geometry))
        {
            return fallback ?? throw new DataFormatException(path, "the file has no 'geometry' attribute; pass the sensor size (--width, --height)");
        }
        Match m = GeometryPattern().Match(geometry);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out int w)
            || !int.TryParse(m.Groups[2].Value, CultureInfo.InvariantCulture, out int h)
            || w is <= 0 or > EcfCodec.MaxCoordinate + 1 || h is <= 0 or > EcfCodec.MaxCoordinate + 1)
        {
            throw new DataFormatException(path, $"attribute geometry '{geometry}' is not WIDTHxHEIGHT within 1..2048");
        }
        return new SensorSize(w, h);
    }

    /// <summary>Each chunk's first time (from the ECF header, or the first record of a chunk stored unfiltered).</summary>
    private void ReadFirstTimes()
    {
        for (int k = 0; k < _firstTime.Length; k++)
        {
            // Uncorrected and uncached: the correction needs these times.
            long t = _index is not null ? DirectFirstTime(k) : DecodeThroughPureHdf(k).T[0];
            _firstTime[k] = k == 0 ? t : Math.Max(t, _firstTime[k - 1]);
        }
    }

    private long DirectFirstTime(int k)
    {
        Hdf5ChunkIndex.Chunk c = Chunk(k);
        Span<byte> head = stackalloc byte[16];
        if (c.Size < head.Length)
        {
            // An ECF block with one event is at least 4 + 8 + 1 + 12 bytes.
            throw ChunkError(k, $"is {c.Size} bytes, too short for an event");
        }
        ReadExactly(head, (long)c.Address);
        if (Unfiltered(c))
        {
            return BinaryPrimitives.ReadInt64LittleEndian(head[8..]);
        }
        if (EcfCodec.ReadCount(head) <= 0)
        {
            throw ChunkError(k, "is an ECF block with no events");
        }
        return BinaryPrimitives.ReadInt64LittleEndian(head[4..]);
    }

    private Hdf5ChunkIndex.Chunk Chunk(int k)
    {
        Hdf5ChunkIndex.Chunk c = _index!.Chunks[k];
        if (!c.Exists)
        {
            throw ChunkError(k, "is missing from the chunk index although the dataset extent covers it");
        }
        return c;
    }

    private static bool Unfiltered(Hdf5ChunkIndex.Chunk c) => (c.FilterMask & 1) != 0;

    /// <summary>Events that chunk <paramref name="k"/> must hold: the chunk size, less for the last one.</summary>
    private int ValidIn(int k) => (int)Math.Min(ChunkEvents, Count - (long)k * ChunkEvents);

    /// <inheritdoc />
    public long TimeAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Decode((int)(index / ChunkEvents)).T[(int)(index % ChunkEvents)];
    }

    /// <inheritdoc />
    public long LowerBound(long timeUs) => Bound(timeUs, right: false);

    /// <inheritdoc />
    public long UpperBound(long timeUs) => Bound(timeUs, right: true);

    // Corrected times of chunk k lie in [first[k], first[k+1]], so the answer is in the last chunk that starts before
    // it (or at the start of the next chunk).
    private long Bound(long timeUs, bool right) => FixedSizeBlocks.Bound(_firstTime, ChunkEvents, timeUs, right, DecodedEvents);

    /// <inheritdoc />
    public EventArray Read(long start, int count, EventBuffer destination) =>
        FixedSizeBlocks.Read(this, start, count, ChunkEvents, DecodedEvents, destination);

    private EventArray DecodedEvents(int k)
    {
        DecodedChunk chunk = Decode(k);
        return new EventArray(chunk.X, chunk.Y, chunk.P, chunk.T, Width, Height, chunk.Count);
    }

    /// <summary>Triggers [start, start+count) of <c>/EXT_TRIGGER/events</c>, as stored.</summary>
    public ExternalTrigger[] ReadTriggers(long start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, TriggerCount);
        if (count == 0)
        {
            return [];
        }
        TriggerRecord[] raw = new TriggerRecord[count];
        lock (_gate)
        {
            Hdf5Access.Guard(Name!, () => _triggers!.Read<TriggerRecord>(raw.AsSpan(), new HyperslabSelection((ulong)start, (ulong)count), null, [(ulong)count]));
        }
        var result = new ExternalTrigger[count];
        for (int i = 0; i < count; i++)
        {
            if (raw[i].P is not (0 or 1) || raw[i].Id < 0)
            {
                throw new DataFormatException(Name, $"{TriggersDataset}[{start + i}] has polarity {raw[i].P} and id {raw[i].Id}");
            }
            result[i] = new ExternalTrigger(raw[i].T, (byte)raw[i].P, raw[i].Id);
        }
        return result;
    }

    private DecodedChunk Decode(int k)
    {
        lock (_gate)
        {
            for (LinkedListNode<DecodedChunk>? node = _cache.First; node is not null; node = node.Next)
            {
                if (node.Value.Index == k)
                {
                    _cache.Remove(node);
                    _cache.AddFirst(node);
                    return node.Value;
                }
            }
        }
        DecodedChunk chunk = Hdf5Access.Guard(Name!, () => _index is not null ? DecodeDirect(k) : DecodeThroughPureHdf(k));
        Correct(k, chunk);
        lock (_gate)
        {
            _cache.AddFirst(chunk);
            if (_cache.Count > CachedChunks)
            {
                _cache.RemoveLast();
            }
        }
        return chunk;
    }

    private DecodedChunk DecodeDirect(int k)
    {
        Hdf5ChunkIndex.Chunk c = Chunk(k);
        int valid = ValidIn(k);
        DecodedChunk chunk;
        byte[] bytes = ArrayPool<byte>.Shared.Rent((int)Math.Min(c.Size, int.MaxValue));
        try
        {
            if (c.Size > (ulong)(EcfCodec.MaxEncodedSize(EcfCodec.MaxEvents) + (long)ChunkEvents * EcfH5Filter.RecordSize))
            {
                throw ChunkError(k, $"claims {c.Size} bytes, more than any chunk of {ChunkEvents} events needs");
            }
            Span<byte> block = bytes.AsSpan(0, (int)c.Size);
            ReadExactly(block, (long)c.Address);
            if (Unfiltered(c))
            {
                if (block.Length != ChunkEvents * EcfH5Filter.RecordSize)
                {
                    throw ChunkError(k, $"is stored unfiltered in {block.Length} bytes, expected {ChunkEvents} records of 16 bytes");
                }
                chunk = new DecodedChunk(k, valid, valid);
                FromRecords(k, block, chunk);
                return chunk;
            }
            int n = EcfCodec.ReadCount(block);
            if (n < valid || n > ChunkEvents)
            {
                throw ChunkError(k, $"is an ECF block of {n} events; it must hold {valid}{(valid < ChunkEvents ? $"..{ChunkEvents}" : "")}");
            }
            // Decoded in place; a padded last block (n > valid) decodes into the chunk's spare room.
            chunk = new DecodedChunk(k, valid, n);
            try
            {
                EcfCodec.Decode(block, chunk.X, chunk.Y, chunk.P, chunk.T, out int consumed);
                if (consumed != block.Length)
                {
                    throw ChunkError(k, $"has {block.Length - consumed} byte(s) after its ECF block");
                }
            }
            catch (DataFormatException e) when (e.FilePath is null)
            {
                throw ChunkError(k, e.Reason);
            }
            CheckCoordinates(k, chunk);
            return chunk;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private DecodedChunk DecodeThroughPureHdf(int k)
    {
        int valid = ValidIn(k);
        var chunk = new DecodedChunk(k, valid, valid);
        var records = new CdRecord[valid];
        lock (_gate)
        {
            _events.Read<CdRecord>(records.AsSpan(), new HyperslabSelection((ulong)k * (ulong)ChunkEvents, (ulong)valid), null, [(ulong)valid]);
        }
        FromRecords(k, MemoryMarshal.AsBytes(records.AsSpan()), chunk);
        return chunk;
    }

    /// <summary>16-byte EventCD records (an unfiltered chunk, or what <see cref="EcfH5Filter"/> decoded).</summary>
    private void FromRecords(int k, ReadOnlySpan<byte> records, DecodedChunk chunk)
    {
        for (int i = 0; i < chunk.Count; i++)
        {
            ReadOnlySpan<byte> r = records.Slice(i * EcfH5Filter.RecordSize, EcfH5Filter.RecordSize);
            if (EcfH5Filter.IsPadding(r))
            {
                throw ChunkError(k, $"is an ECF block of {i} events; it must hold {chunk.Count}");
            }
            short p = BinaryPrimitives.ReadInt16LittleEndian(r[4..]);
            if (p is not (0 or 1))
            {
                throw ChunkError(k, $"event {i} has polarity {p}");
            }
            Put(chunk, k, i, BinaryPrimitives.ReadUInt16LittleEndian(r), BinaryPrimitives.ReadUInt16LittleEndian(r[2..]),
                (byte)p, BinaryPrimitives.ReadInt64LittleEndian(r[8..]));
        }
    }

    private void Put(DecodedChunk chunk, int k, int i, ushort x, ushort y, byte p, long t)
    {
        chunk.X[i] = x;
        chunk.Y[i] = y;
        chunk.P[i] = p;
        chunk.T[i] = t;
        if (i == chunk.Count - 1)
        {
            CheckCoordinates(k, chunk);
        }
    }

    private void CheckCoordinates(int k, DecodedChunk chunk)
    {
        ReadOnlySpan<ushort> xs = chunk.X.AsSpan(0, chunk.Count);
        ReadOnlySpan<ushort> ys = chunk.Y.AsSpan(0, chunk.Count);
        int bad = xs.IndexOfAnyInRange((ushort)Width, ushort.MaxValue);
        int badY = ys.IndexOfAnyInRange((ushort)Height, ushort.MaxValue);
        if (bad < 0 || (badY >= 0 && badY < bad))
        {
            bad = badY;
        }
        if (bad >= 0)
        {
            throw ChunkError(k, $"event {bad} at ({xs[bad]}, {ys[bad]}) lies outside the {Width}×{Height} sensor of the geometry attribute");
        }
    }

    /// <summary>Running maximum inside the chunk, then clamping into [first[k], first[k+1]] (see the class remarks).</summary>
    private void Correct(int k, DecodedChunk chunk)
    {
        long low = _firstTime[k];
        long high = k + 1 < _firstTime.Length ? _firstTime[k + 1] : long.MaxValue;
        long running = low;
        long changed = 0;
        Span<long> t = chunk.T.AsSpan(0, chunk.Count);
        for (int i = 0; i < t.Length; i++)
        {
            long v = Math.Min(Math.Max(t[i], running), high);
            changed += v != t[i] ? 1 : 0;
            t[i] = v;
            running = v;
        }
        if (changed > 0)
        {
            Interlocked.Add(ref _clamped, changed);
        }
    }

    private void ReadExactly(Span<byte> dst, long offset)
    {
        int done = 0;
        while (done < dst.Length)
        {
            int n = RandomAccess.Read(_handle!, dst[done..], offset + done);
            if (n == 0)
            {
                throw new DataFormatException(Name, $"truncated: the file ended at byte {offset + done} inside a chunk of {EventsDataset}");
            }
            done += n;
        }
    }

    private DataFormatException ChunkError(int k, string reason) => new(Name, $"{EventsDataset} chunk {k} {reason}");

    /// <inheritdoc />
    public void Dispose()
    {
        _handle?.Dispose();
        _file.Dispose();
    }

    /// <summary>A chunk's events: <see cref="Count"/> valid ones in arrays of <c>capacity</c> (a padded block's extra).</summary>
    private sealed class DecodedChunk(int index, int count, int capacity)
    {
        public int Index { get; } = index;

        public int Count { get; } = count;

        public ushort[] X { get; } = new ushort[capacity];

        public ushort[] Y { get; } = new ushort[capacity];

        public byte[] P { get; } = new byte[capacity];

        public long[] T { get; } = new long[capacity];
    }

    /// <summary>EventCD as Metavision stores it: x u16 @0, y u16 @2, p i16 @4, t i64 @8, 16 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    private struct CdRecord
    {
        [FieldOffset(0)]
        public ushort X;

        [FieldOffset(2)]
        public ushort Y;

        [FieldOffset(4)]
        public short P;

        [FieldOffset(8)]
        public long T;
    }

    /// <summary>EventExtTrigger as Metavision stores it: p i16 @0, t i64 @8, id i16 @16, 24 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    private struct TriggerRecord
    {
        [FieldOffset(0)]
        public short P;

        [FieldOffset(8)]
        public long T;

        [FieldOffset(16)]
        public short Id;
    }
}
