using EventSsm.Model.Ssm;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Examples;

/// <summary>
/// Synthetic event streams whose class is only in their timing. Every event carries a random polarity ±1 and a constant
/// 1, identically for all classes; the inter-arrival gaps (mean 1 in every class) follow one of three patterns:
/// 0 Poisson (exponential gaps), 1 bursts (groups of 4 events 0.1 apart, then a long gap), 2 regular (1 ± 10%).
/// A model can tell them apart only through the per-step Δt it is given as the S5 step scale.
/// </summary>
public static class BurstDataset
{
    /// <summary>Number of timing patterns (classes).</summary>
    public const int ClassCount = 3;

    /// <summary>Features per event (polarity ±1 and a constant 1).</summary>
    public const int FeatureCount = 2;

    private const int BurstSize = 4;
    private const double BurstGap = 0.1;

    /// <summary>Features (N, L, 2) float32, gaps Δt (N, L) float32 (the gap before each event), labels (N) int64.</summary>
    public static (Tensor Features, Tensor Gaps, Tensor Labels) Generate(int count, int length, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var features = new float[count * length * FeatureCount];
        var gaps = new float[count * length];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(ClassCount);
            labels[i] = label;
            int phase = random.Next(BurstSize);
            for (int t = 0; t < length; t++)
            {
                gaps[(i * length) + t] = (float)Gap(label, t + phase, random);
                features[((i * length) + t) * FeatureCount] = random.Next(2) == 0 ? -1f : 1f;
                features[(((i * length) + t) * FeatureCount) + 1] = 1f;
            }
        }
        return (
            tensor(features).reshape(count, length, FeatureCount),
            tensor(gaps).reshape(count, length),
            tensor(labels));
    }

    private static double Gap(int label, int position, Random random)
    {
        double jitter = 1 + (0.2 * (random.NextDouble() - 0.5));
        return label switch
        {
            0 => -Math.Log(1 - random.NextDouble()),
            // One long gap per burst keeps the mean gap at 1: (BurstSize − 1)·0.1 + long = BurstSize.
            1 => (position % BurstSize == 0 ? BurstSize - ((BurstSize - 1) * BurstGap) : BurstGap) * jitter,
            _ => jitter,
        };
    }
}
