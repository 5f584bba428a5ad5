namespace EventSsm.Events;

/// <summary>
/// Random access to a time-sorted event recording without loading it: binary search by time and reading index
/// ranges into a caller-owned <see cref="EventBuffer"/>. Implementations are safe for concurrent calls that use
/// different buffers, so windows can be built in parallel from one reader.
/// </summary>
public interface IEventReader : IDisposable
{
    /// <summary>The file (or a description of the source) used in error messages.</summary>
    string? Name { get; }

    /// <summary>Sensor width in pixels.</summary>
    int Width { get; }

    /// <summary>Sensor height in pixels.</summary>
    int Height { get; }

    /// <summary>Number of events in the recording.</summary>
    long Count { get; }

    /// <summary>Time of event <paramref name="index"/> (µs).</summary>
    long TimeAt(long index);

    /// <summary>Index of the first event with t ≥ <paramref name="timeUs"/> (numpy searchsorted 'left').</summary>
    long LowerBound(long timeUs);

    /// <summary>Index of the first event with t &gt; <paramref name="timeUs"/> (numpy searchsorted 'right').</summary>
    long UpperBound(long timeUs);

    /// <summary>Reads events [start, start+count) into <paramref name="destination"/> from index 0 and returns a view of them.</summary>
    EventArray Read(long start, int count, EventBuffer destination);
}
