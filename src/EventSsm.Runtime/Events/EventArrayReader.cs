namespace EventSsm.Events;

/// <summary>An <see cref="IEventReader"/> over events already in memory (an .npz, a test, a whole small file).</summary>
public sealed class EventArrayReader : IEventReader
{
    private readonly EventArray _events;

    /// <summary>A reader over events already in memory; <paramref name="name"/> describes them in errors.</summary>
    public EventArrayReader(EventArray events, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (int i = 1; i < events.Count; i++)
        {
            if (events.T[i] < events.T[i - 1])
            {
                throw new ArgumentException($"event {i}: time {events.T[i]} is earlier than the previous event's {events.T[i - 1]} (times must be sorted)", nameof(events));
            }
        }
        _events = events;
        Name = name;
    }

    /// <inheritdoc />
    public string? Name { get; }

    /// <inheritdoc />
    public int Width => _events.Width;

    /// <inheritdoc />
    public int Height => _events.Height;

    /// <inheritdoc />
    public long Count => _events.Count;

    /// <inheritdoc />
    public long TimeAt(long index) => _events.T[checked((int)index)];

    /// <inheritdoc />
    public long LowerBound(long timeUs) => _events.LowerBound(timeUs);

    /// <inheritdoc />
    public long UpperBound(long timeUs) => _events.UpperBound(timeUs);

    /// <inheritdoc />
    public EventArray Read(long start, int count, EventBuffer destination)
    {
        EventBuffer.PrepareRead(this, start, count, destination);
        int s = (int)start;
        _events.X.AsSpan(s, count).CopyTo(destination.X);
        _events.Y.AsSpan(s, count).CopyTo(destination.Y);
        _events.P.AsSpan(s, count).CopyTo(destination.P);
        _events.T.AsSpan(s, count).CopyTo(destination.T);
        return destination.View(count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
