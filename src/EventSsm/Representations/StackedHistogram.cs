using System.Numerics;
using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.Representations;

/// <summary>
/// RVT's stacked histogram (data/utils/representations.py, fastmode; data_eval_spec.md §2.5), bit-exact.
/// For the N events of a window, sorted by time, with t0 = t[0] and t1 = t[N−1] (the events, not the window bounds):
/// <code>
/// q = fl32(t − t0) / fl32(max(t1 − t0, 1))      (float32 true division)
/// b = min(floor(fl32(q · bins)), bins − 1)
/// H[p·bins + b, y, x] += 1                       (uint8, wraps mod 256)
/// out = min(H, countCutoff)                      (clamp after the wrap)
/// </code>
/// Output is uint8 (2·bins, H, W): channels 0..bins−1 are OFF events oldest to newest, then ON. An empty window is
/// all zeros.
/// </summary>
public sealed class StackedHistogram : IEventRepresentation
{
    public StackedHistogram(int height, int width, int bins = 10, int countCutoff = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        ArgumentOutOfRangeException.ThrowIfNegative(countCutoff);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(countCutoff, 255);
        if ((long)2 * bins * height * width > Array.MaxLength)
        {
            throw new ArgumentException($"a {2 * bins}×{height}×{width} histogram is larger than one buffer");
        }
        Height = height;
        Width = width;
        Bins = bins;
        CountCutoff = countCutoff;
    }

    public int Bins { get; }

    public int CountCutoff { get; }

    public int Channels => 2 * Bins;

    public int Height { get; }

    public int Width { get; }

    public NpyDType ElementType => NpyDType.UInt8;

    public void Build(EventArray events, long windowEndUs, Span<byte> destination) => Build(events, destination);

    /// <summary>Builds the histogram of all events in <paramref name="events"/> into <paramref name="destination"/>.</summary>
    public void Build(EventArray events, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(events);
        int plane = Height * Width;
        int size = Channels * plane;
        if (destination.Length != size)
        {
            throw new ArgumentException($"destination holds {destination.Length} bytes, the histogram needs {size}", nameof(destination));
        }
        destination.Clear();
        int n = events.Count;
        if (n == 0)
        {
            return;
        }
        ReadOnlySpan<ushort> xs = events.X.AsSpan(0, n);
        ReadOnlySpan<ushort> ys = events.Y.AsSpan(0, n);
        ReadOnlySpan<byte> ps = events.P.AsSpan(0, n);
        ReadOnlySpan<long> ts = events.T.AsSpan(0, n);
        long t0 = ts[0];
        // data_eval_spec.md §2.5: bins are relative to the first and last event, and torch divides in float32
        // (fl32(Δt) / fl32(span), not Δt · (1/span), which differs in rare cases).
        float span = Math.Max(ts[n - 1] - t0, 1);
        float fbins = Bins;
        int lastBin = Bins - 1;
        int polStride = Bins * plane;
        uint width = (uint)Width;
        uint height = (uint)Height;
        for (int i = 0; i < n; i++)
        {
            uint x = xs[i];
            uint y = ys[i];
            uint p = ps[i];
            if (x >= width || y >= height || p > 1)
            {
                throw new ArgumentException($"event {i} (x={x}, y={y}, p={p}) is outside the {Width}×{Height} sensor or not a 0/1 polarity", nameof(events));
            }
            float q = (float)(ts[i] - t0) / span;
            int b = (int)MathF.Floor(q * fbins);
            if (b > lastBin)
            {
                b = lastBin;
            }
            // uint8 accumulation: the increment wraps mod 256 before the clamp below (§2.5, golden window #6).
            destination[(int)x + (int)(width * y) + plane * b + polStride * (int)p]++;
        }
        Clamp(destination, (byte)CountCutoff);
    }

    private static void Clamp(Span<byte> data, byte cutoff)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var c = new Vector<byte>(cutoff);
            for (; i <= data.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Min(new Vector<byte>(data[i..]), c).CopyTo(data[i..]);
            }
        }
        for (; i < data.Length; i++)
        {
            if (data[i] > cutoff)
            {
                data[i] = cutoff;
            }
        }
    }
}
