using EventSsm.Events;

namespace EventSsm.Synthetic;

/// <summary>A growable struct-of-arrays event list (the builder behind an <see cref="EventArray"/>).</summary>
internal sealed class EventBuffer
{
    private ushort[] _x;
    private ushort[] _y;
    private byte[] _p;
    private long[] _t;

    public EventBuffer(int capacity = 1024)
    {
        capacity = Math.Max(capacity, 16);
        _x = new ushort[capacity];
        _y = new ushort[capacity];
        _p = new byte[capacity];
        _t = new long[capacity];
    }

    public int Count { get; private set; }

    public ushort[] X => _x;

    public ushort[] Y => _y;

    public byte[] P => _p;

    public long[] T => _t;

    public void Add(int x, int y, int p, long t)
    {
        if (Count == _x.Length)
        {
            Grow(Count + 1);
        }
        _x[Count] = (ushort)x;
        _y[Count] = (ushort)y;
        _p[Count] = (byte)p;
        _t[Count] = t;
        Count++;
    }

    public void Clear() => Count = 0;

    /// <summary>Appends the events of <paramref name="src"/> in the order given by <paramref name="order"/>.</summary>
    public void AppendPermuted(EventBuffer src, ReadOnlySpan<int> order)
    {
        if (Count + order.Length > _x.Length)
        {
            Grow(Count + order.Length);
        }
        for (int i = 0; i < order.Length; i++)
        {
            int j = order[i];
            _x[Count] = src._x[j];
            _y[Count] = src._y[j];
            _p[Count] = src._p[j];
            _t[Count] = src._t[j];
            Count++;
        }
    }

    public EventArray ToEventArray(int width, int height) =>
        new(_x.AsSpan(0, Count).ToArray(), _y.AsSpan(0, Count).ToArray(), _p.AsSpan(0, Count).ToArray(),
            _t.AsSpan(0, Count).ToArray(), width, height);

    private void Grow(int min)
    {
        int n = Math.Max(min, (int)Math.Min(Array.MaxLength, (long)_x.Length * 2));
        Array.Resize(ref _x, n);
        Array.Resize(ref _y, n);
        Array.Resize(ref _p, n);
        Array.Resize(ref _t, n);
    }
}
