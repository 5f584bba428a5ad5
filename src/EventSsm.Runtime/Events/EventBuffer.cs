namespace EventSsm.Events;

/// <summary>
/// Reusable struct-of-arrays storage that readers decode into, so streaming a long recording allocates only when a
/// window is larger than any seen before. <see cref="View"/> exposes the first n events as an <see cref="EventArray"/>
/// that shares the arrays (valid until the buffer is refilled).
/// </summary>
public sealed class EventBuffer
{
    private byte[] _scratch = [];

    /// <summary>
    /// Storage for events of a <paramref name="width"/>×<paramref name="height"/> sensor, with room for <paramref
    /// name="capacity"/> events to start with.
    /// </summary>
    public EventBuffer(int width, int height, int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Width = width;
        Height = height;
        X = new ushort[capacity];
        Y = new ushort[capacity];
        P = new byte[capacity];
        T = new long[capacity];
    }

    /// <summary>Sensor width in pixels.</summary>
    public int Width { get; }

    /// <summary>Sensor height in pixels.</summary>
    public int Height { get; }

    /// <summary>Columns (capacity-sized; only the first n are valid after a read).</summary>
    public ushort[] X { get; private set; }

    /// <summary>Rows.</summary>
    public ushort[] Y { get; private set; }

    /// <summary>Polarities (0 = OFF, 1 = ON).</summary>
    public byte[] P { get; private set; }

    /// <summary>Times in microseconds.</summary>
    public long[] T { get; private set; }

    /// <summary>Events the arrays hold without growing.</summary>
    public int Capacity => X.Length;

    /// <summary>Grows the arrays (contents are not kept) so that they hold at least <paramref name="count"/> events.</summary>
    public void EnsureCapacity(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count <= X.Length)
        {
            return;
        }
        int cap = (int)Math.Min(Array.MaxLength, Math.Max(count, (long)X.Length * 3 / 2));
        X = new ushort[cap];
        Y = new ushort[cap];
        P = new byte[cap];
        T = new long[cap];
    }

    /// <summary>
    /// The checks of every <see cref="IEventReader.Read"/> (events [start, start+count) exist in
    /// <paramref name="source"/>, <paramref name="destination"/> is for the same sensor), then room for the events.
    /// </summary>
    internal static void PrepareRead(IEventReader source, long start, int count, EventBuffer destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, source.Count);
        if (destination.Width != source.Width || destination.Height != source.Height)
        {
            throw new ArgumentException($"buffer is for a {destination.Width}×{destination.Height} sensor, the file is {source.Width}×{source.Height}", nameof(destination));
        }
        destination.EnsureCapacity(count);
    }

    /// <summary>The first <paramref name="count"/> events, sharing this buffer's arrays.</summary>
    public EventArray View(int count) => new(X, Y, P, T, Width, Height, count);

    /// <summary>A byte scratch area for raw file records, kept between reads.</summary>
    internal byte[] Scratch(int bytes)
    {
        if (_scratch.Length < bytes)
        {
            _scratch = new byte[bytes];
        }
        return _scratch;
    }
}
