using PureHDF.VOL.Native;
using EventSsm.IO.Hdf5;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// RVT raw event HDF5 files, <c>&lt;seq&gt;_td.dat.h5</c> (gen1) and <c>&lt;seq&gt;_td.h5</c> (gen4)
/// (docs/DATA.md §1.3): group <c>events</c> with 1-D integer datasets x, y, p, t, and optional scalar
/// <c>events/height</c> and <c>events/width</c>. DSEC's <c>events.h5</c> (docs/FORMATS.md §6) has the same group
/// plus a root <c>t_offset</c> (and <c>ms_to_idx</c>): its times are made absolute (t + t_offset) and its sensor
/// defaults to 640×480.
/// <para>
/// Like RVT's <c>H5Reader</c>: p becomes max(p, 0) and t is made non-decreasing by a running maximum over the whole
/// file. Ranges are read with hyperslabs, so only the chunks they touch are decoded. To know the corrected t of any
/// range without holding the whole file, <see cref="Open"/> makes one pass over t and keeps, per block of
/// <see cref="IndexBlockSize"/> events, the running maximum before the block and the block's first corrected t
/// (16 bytes per block). A range read then re-reads t from its block start to restore the running maximum.
/// </para>
/// <para>
/// As an <see cref="IEventReader"/> it serves parallel window builders: PureHDF's file access and the cached block
/// are shared state, so every read takes one lock; decoding happens under it, building representations does not.
/// </para>
/// </summary>
public sealed class RawEventH5Reader : IEventReader
{
    /// <summary>Events per block of the time index (one running maximum per block).</summary>
    public const int IndexBlockSize = 1 << 16;

    private readonly NativeFile _file;
    private readonly NativeDataset _x;
    private readonly NativeDataset _y;
    private readonly NativeDataset _p;
    private readonly NativeDataset _t;
    private readonly long[] _maxBefore;
    private readonly long[] _firstCorrected;
    private readonly Lock _gate = new();
    private int _cachedBlock = -1;
    private long[] _cachedBlockT = [];

    private RawEventH5Reader(string path, NativeFile file, NativeDataset x, NativeDataset y, NativeDataset p,
        NativeDataset t, long count, SensorSize size, long? timeOffset)
    {
        TimeOffsetUs = timeOffset;
        Path = path;
        _file = file;
        _x = x;
        _y = y;
        _p = p;
        _t = t;
        Count = count;
        Size = size;
        int blocks = (int)((count + IndexBlockSize - 1) / IndexBlockSize);
        _maxBefore = new long[blocks];
        _firstCorrected = new long[blocks];
    }

    /// <summary>The file this reader reads.</summary>
    public string Path { get; }

    /// <summary>Number of events in the file.</summary>
    public long Count { get; }

    /// <summary>From events/width and events/height, else the default given to <see cref="Open"/>.</summary>
    public SensorSize Size { get; }

    /// <summary>DSEC's <c>t_offset</c> (µs), added to every stored t; null for RVT files.</summary>
    public long? TimeOffsetUs { get; }

    /// <summary>A DSEC <c>events.h5</c>: a root <c>t_offset</c> or <c>ms_to_idx</c> beside the <c>events</c> group.</summary>
    public bool IsDsec { get; private init; }

    /// <summary>DSEC's sensor (Prophesee Gen3.1, left event camera).</summary>
    public static SensorSize DsecSize => new(640, 480);

    private long Offset => TimeOffsetUs ?? 0;

    string? IEventReader.Name => Path;

    /// <inheritdoc />
    public int Width => Size.Width;

    /// <inheritdoc />
    public int Height => Size.Height;

    /// <summary>Opens a file and indexes its timestamps (one streaming pass over t).</summary>
    public static RawEventH5Reader Open(string path, SensorSize? defaultSize = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        NativeFile file = Hdf5Access.Open(path);
        try
        {
            RawEventH5Reader reader = Hdf5Access.Guard(path, () => Create(path, file, defaultSize));
            Hdf5Access.Guard(path, reader.BuildIndex);
            return reader;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>All events of a file, as RVT's H5Reader returns them.</summary>
    public static EventArray ReadAll(string path, SensorSize? defaultSize = null)
    {
        using RawEventH5Reader reader = Open(path, defaultSize);
        if (reader.Count > Array.MaxLength)
        {
            throw new UnsupportedDataException(path, $"{reader.Count} events do not fit one EventArray; read ranges instead");
        }
        return reader.ReadRange(0, (int)reader.Count);
    }

    private static RawEventH5Reader Create(string path, NativeFile file, SensorSize? requested)
    {
        if (!file.LinkExists("events") || file.Get("events") is not NativeGroup events)
        {
            throw new DataFormatException(path, "HDF5 group 'events' is missing");
        }
        NativeDataset x = Hdf5Access.Dataset(events, "x", path);
        NativeDataset y = Hdf5Access.Dataset(events, "y", path);
        NativeDataset p = Hdf5Access.Dataset(events, "p", path);
        NativeDataset t = Hdf5Access.Dataset(events, "t", path);
        long n = -1;
        foreach ((string name, NativeDataset d) in new[] { ("x", x), ("y", y), ("p", p), ("t", t) })
        {
            ulong[] dims = Hdf5Access.Dims(d);
            if (dims.Length != 1)
            {
                throw new DataFormatException(path, $"events/{name} has rank {dims.Length}, expected a 1-D dataset");
            }
            if (dims[0] > long.MaxValue)
            {
                throw new DataFormatException(path, $"events/{name} claims {dims[0]} elements");
            }
            if (n >= 0 && (long)dims[0] != n)
            {
                throw new DataFormatException(path, $"events/{name} has {dims[0]} elements but events/x has {n}");
            }
            n = (long)dims[0];
        }
        bool dsec = file.LinkExists("t_offset") || file.LinkExists("ms_to_idx");
        long? offset = null;
        if (file.LinkExists("t_offset"))
        {
            offset = Hdf5Access.ReadScalarInt64(Hdf5Access.Dataset(file, "t_offset", path));
            if (Math.Abs(offset.Value) > 1L << 60)
            {
                throw new DataFormatException(path, $"t_offset = {offset} µs is not a time");
            }
        }
        SensorSize fallback = requested ?? (dsec ? DsecSize : SensorSize.Gen1);
        int width = ReadOptionalSize(events, "width", fallback.Width, path);
        int height = ReadOptionalSize(events, "height", fallback.Height, path);
        return new RawEventH5Reader(path, file, x, y, p, t, n, new SensorSize(width, height), offset) { IsDsec = dsec };
    }

    private static int ReadOptionalSize(NativeGroup events, string name, int fallback, string path)
    {
        if (!events.LinkExists(name))
        {
            return fallback;
        }
        long v = Hdf5Access.ReadScalarInt64(Hdf5Access.Dataset(events, name, path));
        if (v is <= 0 or > ushort.MaxValue + 1)
        {
            throw new DataFormatException(path, $"events/{name} = {v} is not a sensor dimension");
        }
        return (int)v;
    }

    private void BuildIndex()
    {
        long running = long.MinValue;
        long[] buf = new long[IndexBlockSize];
        for (int b = 0; b < _maxBefore.Length; b++)
        {
            long start = (long)b * IndexBlockSize;
            Span<long> t = buf.AsSpan(0, (int)Math.Min(IndexBlockSize, Count - start));
            Hdf5Access.ReadInt64(_t, (ulong)start, t);
            if (b == 0 && t[0] < 0)
            {
                // RVT asserts t[0] >= 0.
                throw new DataFormatException(Path, $"events/t starts at {t[0]} < 0");
            }
            _maxBefore[b] = running;
            _firstCorrected[b] = checked(Math.Max(running, t[0]) + Offset);
            foreach (long v in t)
            {
                running = Math.Max(running, v);
            }
        }
    }

    /// <summary>Index of the first event with corrected t ≥ <paramref name="time"/> (searchsorted 'left').</summary>
    public long LowerBound(long time) => Locked(() => Search(time, upper: false));

    /// <summary>Index of the first event with corrected t &gt; <paramref name="time"/> (searchsorted 'right').</summary>
    public long UpperBound(long time) => Locked(() => Search(time, upper: true));

    /// <summary>The corrected time of event <paramref name="index"/>.</summary>
    public long TimeAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Locked(() => CorrectedBlock((int)(index / IndexBlockSize))[(int)(index % IndexBlockSize)]);
    }

    private long Search(long time, bool upper)
    {
        // Last block whose first corrected t is still before the answer; the answer lies in it or at its end.
        int block = EventSearch.Bound(_firstCorrected, time, upper) - 1;
        if (block < 0)
        {
            return 0;
        }
        int i = EventSearch.Bound(CorrectedBlock(block), time, upper);
        return (long)block * IndexBlockSize + i;
    }

    private long[] CorrectedBlock(int block)
    {
        if (block != _cachedBlock)
        {
            long start = (long)block * IndexBlockSize;
            long[] t = new long[(int)Math.Min(IndexBlockSize, Count - start)];
            Hdf5Access.ReadInt64(_t, (ulong)start, t);
            RunningMax(t, _maxBefore[block], Offset);
            _cachedBlockT = t;
            _cachedBlock = block;
        }
        return _cachedBlockT;
    }

    /// <summary>Events [start, start+count) with RVT's corrections applied.</summary>
    public EventArray ReadRange(long start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        EventArray r = EventArray.Allocate(count, Size.Width, Size.Height);
        Locked(() => ReadRangeCore(start, count, r.X, r.Y, r.P, r.T));
        return r;
    }

    /// <summary>Events [start, start+count) with RVT's corrections, into <paramref name="destination"/>.</summary>
    public EventArray Read(long start, int count, EventBuffer destination)
    {
        EventBuffer.PrepareRead(this, start, count, destination);
        Locked(() => ReadRangeCore(start, count, destination.X, destination.Y, destination.P, destination.T));
        return destination.View(count);
    }

    private T Locked<T>(Func<T> action)
    {
        lock (_gate)
        {
            return Hdf5Access.Guard(Path, action);
        }
    }

    /// <summary>Events with tFirst ≤ t ≤ tLast: the inclusive window of docs/DATA.md §2.4.</summary>
    public EventArray ReadTimeWindow(long tFirst, long tLast)
    {
        long a = LowerBound(tFirst);
        long b = Math.Max(a, UpperBound(tLast));
        if (b - a > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(tLast), $"the window holds {b - a} events, too many for one EventArray");
        }
        return ReadRange(a, (int)(b - a));
    }

    private int ReadRangeCore(long start, int count, ushort[] xs, ushort[] ys, byte[] ps, long[] ts)
    {
        if (count == 0)
        {
            return 0;
        }
        int block = (int)(start / IndexBlockSize);
        long blockStart = (long)block * IndexBlockSize;
        int lead = (int)(start - blockStart);
        long[] t = new long[checked(lead + count)];
        Hdf5Access.ReadInt64(_t, (ulong)blockStart, t);
        RunningMax(t, _maxBefore[block], Offset);
        t.AsSpan(lead).CopyTo(ts);

        long[] v = new long[count];
        ReadField(_x, "x", start, v, xs, Size.Width);
        ReadField(_y, "y", start, v, ys, Size.Height);
        Hdf5Access.ReadInt64(_p, (ulong)start, v);
        for (int i = 0; i < count; i++)
        {
            // RVT H5Reader: p = max(p, 0), so int8 −1/+1 polarities become 0/1.
            long p = Math.Max(v[i], 0);
            if (p > 1)
            {
                throw new DataFormatException(Path, $"events/p[{start + i}] = {v[i]} is not a polarity (−1, 0 or 1)");
            }
            ps[i] = (byte)p;
        }
        return count;
    }

    private void ReadField(NativeDataset d, string name, long start, long[] tmp, ushort[] dst, int limit)
    {
        Hdf5Access.ReadInt64(d, (ulong)start, tmp);
        for (int i = 0; i < tmp.Length; i++)
        {
            if ((ulong)tmp[i] >= (ulong)limit)
            {
                throw new DataFormatException(Path, $"events/{name}[{start + i}] = {tmp[i]} lies outside the {Size.Width}×{Size.Height} sensor");
            }
            dst[i] = (ushort)tmp[i];
        }
    }

    /// <summary>RVT's running maximum, then DSEC's offset (0 for RVT files).</summary>
    private static void RunningMax(Span<long> t, long running, long offset)
    {
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] < running)
            {
                t[i] = running;
            }
            else
            {
                running = t[i];
            }
            t[i] = checked(t[i] + offset);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
