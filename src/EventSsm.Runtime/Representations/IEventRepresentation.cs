using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.Representations;

/// <summary>
/// Turns the events of one window into a dense (Channels, Height, Width) C-order array. Implementations keep no
/// per-window state, so one instance may build many windows concurrently.
/// </summary>
public interface IEventRepresentation
{
    /// <summary>C, channels of the output.</summary>
    int Channels { get; }

    /// <summary>H, the sensor height the events come from.</summary>
    int Height { get; }

    /// <summary>W, the sensor width the events come from.</summary>
    int Width { get; }

    /// <summary>Element type of the output (uint8 or float32).</summary>
    NpyDType ElementType { get; }

    /// <summary>
    /// Writes the representation of <paramref name="events"/> (time-sorted, all inside the window that ends at
    /// <paramref name="windowEndUs"/>) into <paramref name="destination"/>, which holds exactly
    /// Channels·Height·Width elements of <see cref="ElementType"/> and is overwritten entirely.
    /// </summary>
    void Build(EventArray events, long windowEndUs, Span<byte> destination);
}
