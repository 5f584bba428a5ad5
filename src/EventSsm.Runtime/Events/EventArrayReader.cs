namespace EventSsm.Events;

/// <summary>An <see cref="IEventReader"/> over events already in memory (an .npz, a test, a whole small file).</summary>
public sealed class EventArrayReader : IEventReader
{
    private readonly EventArray _events;

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

    public string? Name { get; }

    public int Width => _events.Width;

    public int Height => _events.Height;

    public long Count => _events.Count;

    public long TimeAt(long index) => _events.T[checked((int)index)];

    public long LowerBound(long timeUs) => _events.LowerBound(timeUs);

    public long UpperBound(long timeUs) => _events.UpperBound(timeUs);

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

    public void Dispose()
    {
    }
}
