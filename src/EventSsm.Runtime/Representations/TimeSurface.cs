using System.Runtime.InteropServices;
using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.Representations;

/// <summary>
/// Exponentially decaying time surface, one channel per polarity (0 = OFF, 1 = ON, the stacked histogram's order).
/// With T the window end and t_last(p, y, x) the time of the latest event of polarity p at (x, y) in the window:
/// <code>
/// S[p, y, x] = exp(−(T − t_last) / τ)      (computed in double, stored as float32)
/// S[p, y, x] = 0                           (no event there in the window)
/// </code>
/// An event at T gives 1; older events decay towards 0. Not part of RVT; offered for experiments.
/// </summary>
public sealed class TimeSurface : IEventRepresentation
{
    /// <summary>
    /// A time surface for a <paramref name="height"/>×<paramref name="width"/> sensor with decay constant <paramref
    /// name="tauUs"/> (µs).
    /// </summary>
    public TimeSurface(int height, int width, double tauUs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (!(tauUs > 0) || double.IsInfinity(tauUs))
        {
            throw new ArgumentOutOfRangeException(nameof(tauUs), tauUs, "the decay constant must be positive and finite");
        }
        Height = height;
        Width = width;
        TauUs = tauUs;
    }

    /// <summary>Decay constant τ in microseconds.</summary>
    public double TauUs { get; }

    /// <inheritdoc />
    public int Channels => 2;

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public NpyDType ElementType => NpyDType.Float32;

    /// <inheritdoc />
    public void Build(EventArray events, long windowEndUs, Span<byte> destination) =>
        Build(events, windowEndUs, MemoryMarshal.Cast<byte, float>(destination));

    /// <summary>The surface at <paramref name="windowEndUs"/> of <paramref name="events"/> as 2·H·W floats.</summary>
    public void Build(EventArray events, long windowEndUs, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(events);
        int plane = Height * Width;
        if (destination.Length != 2 * plane)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, the surface needs {2 * plane}", nameof(destination));
        }
        destination.Clear();
        // Events are time-sorted, so the last write to a cell is its latest event.
        for (int i = 0; i < events.Count; i++)
        {
            int x = events.X[i];
            int y = events.Y[i];
            int p = events.P[i];
            if (x >= Width || y >= Height || p > 1)
            {
                throw new ArgumentException($"event {i} (x={x}, y={y}, p={p}) is outside the {Width}×{Height} sensor or not a 0/1 polarity", nameof(events));
            }
            destination[p * plane + y * Width + x] = (float)Math.Exp(-(windowEndUs - events.T[i]) / TauUs);
        }
    }
}
