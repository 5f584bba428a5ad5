using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.Representations;

/// <summary>
/// RVT's stacked histogram (data/utils/representations.py, fastmode; docs/DATA.md §2.5), bit-exact.
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
    /// <summary>
    /// A histogram for a <paramref name="height"/>×<paramref name="width"/> sensor with <paramref name="bins"/> time
    /// bins per polarity, counts clamped at <paramref name="countCutoff"/>.
    /// </summary>
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

    /// <summary>Time bins per polarity.</summary>
    public int Bins { get; }

    /// <summary>Largest count a cell keeps (after the uint8 wrap).</summary>
    public int CountCutoff { get; }

    /// <inheritdoc />
    public int Channels => 2 * Bins;

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public NpyDType ElementType => NpyDType.UInt8;

    /// <inheritdoc />
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
        for (int k = 1; k < n; k++)
        {
            if (ts[k] < ts[k - 1])
            {
                throw new ArgumentException($"event {k}: time {ts[k]} is earlier than the previous event's {ts[k - 1]} (windows must be time-sorted)", nameof(events));
            }
        }
        long t0 = ts[0];
        // docs/DATA.md §2.5: bins are relative to the first and last event, and torch divides in float32
        // (fl32(Δt) / fl32(span), not Δt · (1/span), which differs in rare cases).
        float span = Math.Max(ts[n - 1] - t0, 1);
        // The bin is a non-decreasing function of t (every rounding step is monotone) and t is sorted, so each bin
        // is one contiguous run of events: find the run ends by binary search with the exact float32 formula and
        // fill bin by bin, with no floating point per event.
        int polStride = Bins * plane;
        uint width = (uint)Width;
        uint height = (uint)Height;
        byte cutoff = (byte)CountCutoff;
        bool overCutoff = false;
        // Every index is validated before it is used, so the loop reads and writes through refs without bounds checks.
        ref ushort x0 = ref MemoryMarshal.GetReference(xs);
        ref ushort y0 = ref MemoryMarshal.GetReference(ys);
        ref byte p0 = ref MemoryMarshal.GetReference(ps);
        ref byte h0 = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        for (int b = 0; b < Bins; b++)
        {
            int runEnd = b == Bins - 1 ? n : FirstWithBinAbove(ts, i, t0, span, b);
            int binOffset = plane * b;
            for (; i < runEnd; i++)
            {
                uint x = Unsafe.Add(ref x0, i);
                uint y = Unsafe.Add(ref y0, i);
                uint p = Unsafe.Add(ref p0, i);
                if ((x >= width) | (y >= height) | (p > 1))
                {
                    throw new ArgumentException($"event {i} (x={x}, y={y}, p={p}) is outside the {Width}×{Height} sensor or not a 0/1 polarity", nameof(events));
                }
                // uint8 accumulation: the increment wraps mod 256 before the clamp below
                // (docs/DATA.md §2.5, golden window #6).
                ref byte cell = ref Unsafe.Add(ref h0, (int)x + (int)(width * y) + binOffset + polStride * (int)p);
                cell++;
                overCutoff |= cell > cutoff;
            }
        }
        // A cell that wrapped passed the cutoff on its way, so the flag also catches every wrapped cell.
        if (overCutoff)
        {
            Clamp(destination, cutoff);
        }
    }

    /// <summary>The time bin of docs/DATA.md §2.5: min(floor(fl32(fl32(t − t0) / span) · bins), bins − 1).</summary>
    public int BinOf(long t, long t0, float span)
    {
        int b = (int)MathF.Floor((float)(t - t0) / span * Bins);
        return Math.Min(b, Bins - 1);
    }

    /// <summary>First index ≥ <paramref name="from"/> whose event falls in a bin after <paramref name="bin"/>.</summary>
    private int FirstWithBinAbove(ReadOnlySpan<long> ts, int from, long t0, float span, int bin)
    {
        int lo = from;
        int hi = ts.Length;
        while (lo < hi)
        {
            int mid = (int)(((uint)lo + (uint)hi) >> 1);
            if (BinOf(ts[mid], t0, span) <= bin)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
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
