namespace EventSsm.Evaluation;

/// <summary>
/// COCOeval's <c>eval</c> arrays and <c>stats</c> (docs/DATA.md §5). Arrays are C-order float64 with
/// pycocotools' shapes: precision and scores [T=10, R=101, K, A=4, M=3], recall [T, K, A, M]; −1 marks entries
/// without non-ignored ground truth.
/// </summary>
public sealed class CocoEvalResult
{
    /// <summary>T, the number of IoU thresholds (0.50:0.05:0.95).</summary>
    public const int T = 10;
    /// <summary>R, the number of recall thresholds (0:0.01:1).</summary>
    public const int R = 101;
    /// <summary>A, the number of area ranges (all, small, medium, large).</summary>
    public const int A = 4;
    /// <summary>M, the number of detection caps (1, 10, 100).</summary>
    public const int M = 3;

    internal CocoEvalResult(int categoryCount)
    {
        K = categoryCount;
        Precision = new double[T * R * K * A * M];
        Scores = new double[Precision.Length];
        Recall = new double[T * K * A * M];
        Array.Fill(Precision, -1.0);
        Array.Fill(Scores, -1.0);
        Array.Fill(Recall, -1.0);
    }

    /// <summary>K, the number of categories.</summary>
    public int K { get; }

    /// <summary>pycocotools' <c>eval['precision']</c>, C-order [T, R, K, A, M].</summary>
    public double[] Precision { get; }

    /// <summary>pycocotools' <c>eval['scores']</c>: the detection score at each precision entry, same shape.</summary>
    public double[] Scores { get; }

    /// <summary>pycocotools' <c>eval['recall']</c>, C-order [T, K, A, M].</summary>
    public double[] Recall { get; }

    /// <summary>The shape of <see cref="Precision"/> and <see cref="Scores"/>.</summary>
    public long[] PrecisionShape => [T, R, K, A, M];

    /// <summary>The shape of <see cref="Recall"/>.</summary>
    public long[] RecallShape => [T, K, A, M];

    /// <summary>Flat index of precision[t, r, k, a, m].</summary>
    public int PrecisionIndex(int t, int r, int k, int a, int m) => ((((((t * R) + r) * K) + k) * A) + a) * M + m;

    /// <summary>Flat index of recall[t, k, a, m].</summary>
    public int RecallIndex(int t, int k, int a, int m) => ((((t * K) + k) * A) + a) * M + m;

    /// <summary>
    /// <c>summarize()</c>'s 12 stats: AP, AP50, AP75, AP_S, AP_M, AP_L, AR1, AR10, AR100, AR_S, AR_M, AR_L.
    /// </summary>
    public double[] Stats()
    {
        return
        [
            SummarizeAp(null, 0, 2),
            SummarizeAp(0.5, 0, 2),
            SummarizeAp(0.75, 0, 2),
            SummarizeAp(null, 1, 2),
            SummarizeAp(null, 2, 2),
            SummarizeAp(null, 3, 2),
            SummarizeAr(0, 0),
            SummarizeAr(0, 1),
            SummarizeAr(0, 2),
            SummarizeAr(1, 2),
            SummarizeAr(2, 2),
            SummarizeAr(3, 2),
        ];
    }

    /// <summary>
    /// AP of one category: the mean of <c>precision[:, :, k, all, 100]</c> over entries &gt; −1, or −1 when the
    /// category has no non-ignored ground truth (detectron2's per-category AP, with −1 instead of NaN).
    /// </summary>
    public double CategoryAp(int k)
    {
        var values = new List<double>(T * R);
        for (int t = 0; t < T; t++)
        {
            for (int r = 0; r < R; r++)
            {
                double v = Precision[PrecisionIndex(t, r, k, 0, 2)];
                if (v > -1)
                {
                    values.Add(v);
                }
            }
        }
        return values.Count == 0 ? -1.0 : NumpySum.Mean(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
    }

    private double SummarizeAp(double? iouThr, int a, int m)
    {
        var values = new List<double>(T * R * K);
        for (int t = 0; t < T; t++)
        {
            // `np.where(iouThr == p.iouThrs)`: an exact float comparison, as in pycocotools.
            if (iouThr is double thr && CocoParams.IouThresholds[t] != thr)
            {
                continue;
            }
            for (int r = 0; r < R; r++)
            {
                for (int k = 0; k < K; k++)
                {
                    double v = Precision[PrecisionIndex(t, r, k, a, m)];
                    if (v > -1)
                    {
                        values.Add(v);
                    }
                }
            }
        }
        return values.Count == 0 ? -1.0 : NumpySum.Mean(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
    }

    private double SummarizeAr(int a, int m)
    {
        var values = new List<double>(T * K);
        for (int t = 0; t < T; t++)
        {
            for (int k = 0; k < K; k++)
            {
                double v = Recall[RecallIndex(t, k, a, m)];
                if (v > -1)
                {
                    values.Add(v);
                }
            }
        }
        return values.Count == 0 ? -1.0 : NumpySum.Mean(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(values));
    }
}
