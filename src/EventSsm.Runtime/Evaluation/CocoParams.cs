namespace EventSsm.Evaluation;

/// <summary>
/// pycocotools <c>Params</c> for bbox evaluation with its defaults (docs/DATA.md §5). The thresholds are
/// built exactly as <c>np.linspace</c> builds them: <c>k*step + start</c> in float64, the last value set to stop.
/// </summary>
public static class CocoParams
{
    /// <summary>The largest detection cap, the one AP and AR_100 use.</summary>
    public const int MaxDetsLast = 100;

    /// <summary>iouThrs = linspace(.5, .95, 10).</summary>
    public static readonly double[] IouThresholds = Linspace(0.5, 0.95, 10);

    /// <summary>recThrs = linspace(0, 1, 101).</summary>
    public static readonly double[] RecallThresholds = Linspace(0.0, 1.0, 101);

    /// <summary>maxDets: detection caps per image.</summary>
    public static readonly int[] MaxDets = [1, 10, 100];

    /// <summary>areaRng: all, small, medium, large (inclusive bounds; a box at a bound counts in both ranges).</summary>
    public static readonly (double Lo, double Hi)[] AreaRanges =
    [
        (0.0, 1e5 * 1e5), (0.0, 32.0 * 32.0), (32.0 * 32.0, 96.0 * 96.0), (96.0 * 96.0, 1e5 * 1e5),
    ];

    /// <summary>Names of <see cref="AreaRanges"/>, as in the metric keys (AP_S, AP_M, AP_L).</summary>
    public static readonly string[] AreaLabels = ["all", "small", "medium", "large"];

    private static double[] Linspace(double start, double stop, int num)
    {
        double step = (stop - start) / (num - 1);
        var y = new double[num];
        for (int k = 0; k < num; k++)
        {
            y[k] = (k * step) + start;
        }
        y[^1] = stop;
        return y;
    }
}
