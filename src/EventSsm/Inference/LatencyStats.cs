namespace EventSsm.Inference;

/// <summary>Percentiles of repeated wall-clock timings, in milliseconds.</summary>
public sealed record LatencyStats(double P50Ms, double P95Ms, double MinMs, int Count)
{
    /// <summary>Nearest-rank percentiles of the samples.</summary>
    public static LatencyStats From(IReadOnlyCollection<double> samplesMs)
    {
        if (samplesMs.Count == 0)
        {
            throw new ArgumentException("no timing samples", nameof(samplesMs));
        }
        double[] sorted = [.. samplesMs.Order()];
        return new LatencyStats(Rank(sorted, 0.50), Rank(sorted, 0.95), sorted[0], sorted.Length);
    }

    private static double Rank(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
