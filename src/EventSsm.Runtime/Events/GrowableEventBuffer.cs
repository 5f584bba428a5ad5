using System.Runtime.CompilerServices;

namespace EventSsm.Events;

/// <summary>
/// A growable struct-of-arrays event buffer that decoders append to. Its arrays are reused across calls, so a
/// streaming reader allocates only when a window is larger than any seen before.
/// </summary>
public sealed class GrowableEventBuffer
{
    private ushort[] _x;
    private ushort[] _y;
    private byte[] _p;
    private long[] _t;

    /// <summary>An empty buffer with room for <paramref name="capacity"/> events.</summary>
    public GrowableEventBuffer(int capacity = 1 << 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _x = new ushort[capacity];
        _y = new ushort[capacity];
        _p = new byte[capacity];
        _t = new long[capacity];
    }

    /// <summary>Events appended since the last <see cref="Clear"/>.</summary>
    public int Count { get; internal set; }

    /// <summary>Events the arrays hold without growing.</summary>
    public int Capacity => _x.Length;

    /// <summary>Columns; the first <see cref="Count"/> are valid.</summary>
    public ushort[] X => _x;

    /// <summary>Rows; the first <see cref="Count"/> are valid.</summary>
    public ushort[] Y => _y;

    /// <summary>Polarities (0 = OFF, 1 = ON); the first <see cref="Count"/> are valid.</summary>
    public byte[] P => _p;

    /// <summary>Times in microseconds; the first <see cref="Count"/> are valid.</summary>
    public long[] T => _t;

    /// <summary>Empties the buffer, keeping its arrays.</summary>
    public void Clear() => Count = 0;

    /// <summary>Makes room for <paramref name="extra"/> more events without reallocation during the next append.</summary>
    public void EnsureSpace(int extra)
    {
        long need = (long)Count + extra;
        if (need <= _x.Length)
        {
            return;
        }
        if (need > Array.MaxLength)
        {
            throw new InvalidOperationException($"{need} events do not fit one buffer; read the file by time window");
        }
        int cap = (int)Math.Min(Array.MaxLength, Math.Max(need, 2L * _x.Length));
        Array.Resize(ref _x, cap);
        Array.Resize(ref _y, cap);
        Array.Resize(ref _p, cap);
        Array.Resize(ref _t, cap);
    }

    /// <summary>Appends one event; room must have been made with <see cref="EnsureSpace"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ushort x, ushort y, byte p, long t)
    {
        EnsureSpace(1);
        int n = Count;
        _x[n] = x;
        _y[n] = y;
        _p[n] = p;
        _t[n] = t;
        Count = n + 1;
    }

    /// <summary>Appends events [start, start+length) of <paramref name="src"/>.</summary>
    public void AddRange(EventArray src, int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, src.Count);
        EnsureSpace(length);
        src.X.AsSpan(start, length).CopyTo(_x.AsSpan(Count));
        src.Y.AsSpan(start, length).CopyTo(_y.AsSpan(Count));
        src.P.AsSpan(start, length).CopyTo(_p.AsSpan(Count));
        src.T.AsSpan(start, length).CopyTo(_t.AsSpan(Count));
        Count += length;
    }

    /// <summary>Appends the events of <paramref name="src"/> in the order given by <paramref name="order"/> (a gather).</summary>
    public void AddPermuted(GrowableEventBuffer src, ReadOnlySpan<int> order)
    {
        ArgumentNullException.ThrowIfNull(src);
        EnsureSpace(order.Length);
        int n = Count;
        for (int i = 0; i < order.Length; i++)
        {
            int j = order[i];
            _x[n] = src._x[j];
            _y[n] = src._y[j];
            _p[n] = src._p[j];
            _t[n] = src._t[j];
            n++;
        }
        Count = n;
    }

    /// <summary>Drops the first <paramref name="n"/> events, moving the rest to the front.</summary>
    public void RemoveFront(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, Count);
        int rest = Count - n;
        if (n > 0 && rest > 0)
        {
            Array.Copy(_x, n, _x, 0, rest);
            Array.Copy(_y, n, _y, 0, rest);
            Array.Copy(_p, n, _p, 0, rest);
            Array.Copy(_t, n, _t, 0, rest);
        }
        Count = rest;
    }

    /// <summary>
    /// Number of events from <paramref name="from"/> before the first one whose t ≥ <paramref name="time"/>, looking at
    /// <paramref name="length"/> events at most (linear: events are in stream order, not necessarily sorted).
    /// </summary>
    public int FirstAtOrAfter(long time, int length, int from = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(from + length, Count);
        ReadOnlySpan<long> t = _t.AsSpan(from, length);
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] >= time)
            {
                return i;
            }
        }
        return length;
    }

    /// <summary>Appends events [start, start+length) of this buffer to <paramref name="dst"/>.</summary>
    public void CopyTo(int start, int length, GrowableEventBuffer dst)
    {
        ArgumentNullException.ThrowIfNull(dst);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Count);
        dst.EnsureSpace(length);
        _x.AsSpan(start, length).CopyTo(dst._x.AsSpan(dst.Count));
        _y.AsSpan(start, length).CopyTo(dst._y.AsSpan(dst.Count));
        _p.AsSpan(start, length).CopyTo(dst._p.AsSpan(dst.Count));
        _t.AsSpan(start, length).CopyTo(dst._t.AsSpan(dst.Count));
        dst.Count += length;
    }

    /// <summary>A copy of events [start, start+length) as an <see cref="EventArray"/>.</summary>
    public EventArray ToEventArray(int start, int length, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Count);
        return new EventArray(_x.AsSpan(start, length).ToArray(), _y.AsSpan(start, length).ToArray(),
            _p.AsSpan(start, length).ToArray(), _t.AsSpan(start, length).ToArray(), width, height);
    }
}
