using System.Runtime.InteropServices;
using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.Representations;

/// <summary>
/// Event voxel grid with bilinear interpolation in time, as RVT's <c>VoxelGrid</c> (data/utils/representations.py)
/// computes it for integer pixel coordinates. With B time bins, t0/t1 the first and last event time:
/// <code>
/// τ = fl32((B − 1)·(t − t0)) / fl32(max(t1 − t0, 1))     (float32)
/// k = trunc(τ)
/// V[k,   y, x] += (2p − 1) · (1 − |k − τ|)
/// V[k+1, y, x] += (2p − 1) · (1 − |k + 1 − τ|)           (only when k + 1 &lt; B)
/// </code>
/// Output is float32 (B, H, W). The x/y interpolation of the original is the identity for integer pixels. All
/// k-terms are added before the k+1-terms, the order of the original's loop, so float sums match it. Deviation:
/// the original divides by t1 − t0 and produces NaN for a window whose events share one timestamp; we use
/// max(t1 − t0, 1) as the stacked histogram does. With <see cref="Normalize"/> the non-zero cells are standardised
/// ((v − mean)/std, unbiased std; only centred when std = 0), computed in double.
/// </summary>
public sealed class VoxelGrid : IEventRepresentation
{
    /// <summary>
    /// A voxel grid for a <paramref name="height"/>×<paramref name="width"/> sensor with <paramref name="bins"/> time
    /// bins, optionally standardised (<paramref name="normalize"/>).
    /// </summary>
    public VoxelGrid(int height, int width, int bins = 10, bool normalize = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        Height = height;
        Width = width;
        Bins = bins;
        Normalize = normalize;
    }

    /// <summary>Time bins B, the output channels.</summary>
    public int Bins { get; }

    /// <summary>Whether non-zero cells are standardised.</summary>
    public bool Normalize { get; }

    /// <inheritdoc />
    public int Channels => Bins;

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public NpyDType ElementType => NpyDType.Float32;

    /// <inheritdoc />
    public void Build(EventArray events, long windowEndUs, Span<byte> destination) =>
        Build(events, MemoryMarshal.Cast<byte, float>(destination));

    /// <summary>The voxel grid of <paramref name="events"/> as B·H·W floats.</summary>
    public void Build(EventArray events, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(events);
        int plane = Height * Width;
        if (destination.Length != Bins * plane)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, the grid needs {Bins * plane}", nameof(destination));
        }
        destination.Clear();
        int n = events.Count;
        if (n == 0)
        {
            return;
        }
        long t0 = events.T[0];
        float span = Math.Max(events.T[n - 1] - t0, 1);
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < n; i++)
            {
                int x = events.X[i];
                int y = events.Y[i];
                int p = events.P[i];
                if (x >= Width || y >= Height || p > 1)
                {
                    throw new ArgumentException($"event {i} (x={x}, y={y}, p={p}) is outside the {Width}×{Height} sensor or not a 0/1 polarity", nameof(events));
                }
                float tau = (float)((Bins - 1) * (events.T[i] - t0)) / span;
                int k = (int)tau + pass;
                if (k < Bins)
                {
                    float value = 2 * p - 1;
                    destination[k * plane + y * Width + x] += value * (1f - MathF.Abs(k - tau));
                }
            }
        }
        if (Normalize)
        {
            Standardize(destination);
        }
    }

    private static void Standardize(Span<float> v)
    {
        long count = 0;
        double sum = 0;
        foreach (float f in v)
        {
            if (f != 0)
            {
                count++;
                sum += f;
            }
        }
        if (count == 0)
        {
            return;
        }
        double mean = sum / count;
        double ss = 0;
        foreach (float f in v)
        {
            if (f != 0)
            {
                ss += (f - mean) * (f - mean);
            }
        }
        double std = count > 1 ? Math.Sqrt(ss / (count - 1)) : double.NaN;
        bool scale = std > 0;
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] != 0)
            {
                v[i] = (float)(scale ? (v[i] - mean) / std : v[i] - mean);
            }
        }
    }
}
