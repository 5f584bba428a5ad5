using System.Collections.Concurrent;

namespace EventSsm.Evaluation;

/// <summary>
/// A re-implementation of pycocotools' <c>COCOeval</c> for boxes (<c>evaluate</c> + <c>accumulate</c>), with the
/// default parameters and every matching, tie and averaging rule of data_eval_spec.md §5. Results do not depend on
/// the degree of parallelism: each (image, category) and each (category, area, maxDet) is computed independently
/// and written to its own slots.
/// </summary>
public static class CocoEvaluator
{
    private const int T = CocoEvalResult.T;
    private const int A = CocoEvalResult.A;
    private const int MaxDet = CocoParams.MaxDetsLast;

    /// <summary>The smallest IoU that can match at any threshold (iouThrs[0]).</summary>
    private static readonly double s_minIou = CocoParams.IouThresholds[0];

    public static CocoEvalResult Evaluate(CocoImageSet images)
    {
        ArgumentNullException.ThrowIfNull(images);
        int k = images.CategoryCount;
        Grouping gt = Group(images.GroundTruth, images, k, isDetection: false);
        Grouping dt = Group(images.Detections, images, k, isDetection: true);
        PerCategory[] cats = Layout(images.ImageCount, k, dt);
        long[] npig = EvaluateImages(images, gt, dt, cats);
        var result = new CocoEvalResult(k);
        Accumulate(cats, npig, result);
        return result;
    }

    /// <summary>
    /// Box indices grouped by (image, category), each group in insertion order (COCO's <c>_gts</c>/<c>_dts</c>
    /// dictionaries): a stable counting sort on the key image·K + category.
    /// </summary>
    private sealed class Grouping(int[] start, int[] order)
    {
        public int[] Start { get; } = start;

        public int[] Order { get; } = order;
    }

    private static Grouping Group(ReadOnlySpan<CocoBox> boxes, CocoImageSet images, int k, bool isDetection)
    {
        int groups = images.ImageCount * k;
        var start = new int[groups + 1];
        var key = new int[boxes.Length];
        for (int i = 0; i < images.ImageCount; i++)
        {
            int s = isDetection ? images.DetectionStart(i) : images.GroundTruthStart(i);
            int e = isDetection ? images.DetectionStart(i + 1) : images.GroundTruthStart(i + 1);
            for (int j = s; j < e; j++)
            {
                key[j] = (i * k) + boxes[j].Category;
                start[key[j] + 1]++;
            }
        }
        for (int g = 0; g < groups; g++)
        {
            start[g + 1] += start[g];
        }
        var fill = start[..groups];
        var order = new int[boxes.Length];
        for (int j = 0; j < boxes.Length; j++)
        {
            order[fill[key[j]]++] = j;
        }
        return new Grouping(start, order);
    }

    /// <summary>
    /// Per category, the detections COCOeval keeps (the top 100 of each image), concatenated in image order: the
    /// array that <c>accumulate</c> concatenates, plus per-area match and ignore bits for the 10 IoU thresholds.
    /// </summary>
    private sealed class PerCategory
    {
        public required int[] GroupBase { get; init; }   // per image: first slot of its detections

        public required float[] Score { get; init; }

        public required byte[] Rank { get; init; }       // position within its image after the score sort

        public required ushort[] Matched { get; init; }  // [A * N]: bit t = matched at iouThrs[t]

        public required ushort[] Ignored { get; init; }  // [A * N]: bit t = dtIgnore at iouThrs[t]

        public int Count => Score.Length;
    }

    private static PerCategory[] Layout(int imageCount, int k, Grouping dt)
    {
        var cats = new PerCategory[k];
        for (int c = 0; c < k; c++)
        {
            var groupBase = new int[imageCount];
            int n = 0;
            for (int i = 0; i < imageCount; i++)
            {
                int g = (i * k) + c;
                groupBase[i] = n;
                n += Math.Min(dt.Start[g + 1] - dt.Start[g], MaxDet);
            }
            cats[c] = new PerCategory
            {
                GroupBase = groupBase,
                Score = new float[n],
                Rank = new byte[n],
                Matched = new ushort[A * n],
                Ignored = new ushort[A * n],
            };
        }
        return cats;
    }

    /// <summary>Sort key for "score descending": ascending keys give descending scores, NaN last, −0 equal to +0.</summary>
    internal static uint DescendingScoreKey(float score)
    {
        if (float.IsNaN(score))
        {
            return uint.MaxValue;
        }
        uint bits = BitConverter.SingleToUInt32Bits(score == 0f ? 0f : score);
        uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ~ascending;
    }

    /// <summary><c>computeIoU</c> + <c>evaluateImg</c> for every (image, category); returns npig per [category, area].</summary>
    private static long[] EvaluateImages(CocoImageSet images, Grouping gt, Grouping dt, PerCategory[] cats)
    {
        int k = images.CategoryCount;
        int groups = images.ImageCount * k;
        var npigPerGroup = new int[groups * A];
        CocoBox[] gtBoxes = images.GroundTruth.ToArray();
        CocoBox[] dtBoxes = images.Detections.ToArray();
        OrderablePartitioner<Tuple<int, int>> ranges = Partitioner.Create(0, groups, Math.Max(64, groups / 64));
        Parallel.ForEach(
            ranges,
            () => new ImageScratch(),
            (range, _, scratch) =>
            {
                for (int g = range.Item1; g < range.Item2; g++)
                {
                    EvaluateGroup(g, g / k, gt, dt, gtBoxes, dtBoxes, cats[g % k], scratch, npigPerGroup.AsSpan(g * A, A));
                }
                return scratch;
            },
            _ => { });
        var npig = new long[k * A];
        for (int g = 0; g < groups; g++)
        {
            for (int a = 0; a < A; a++)
            {
                npig[((g % k) * A) + a] += npigPerGroup[(g * A) + a];
            }
        }
        return npig;
    }

    private sealed class ImageScratch
    {
        public ulong[] Keys = new ulong[128];
        public int[] Det = new int[MaxDet];
        public double[] DetArea = new double[MaxDet];
        public int[] CandStart = new int[MaxDet + 1];
        public int[] CandGt = new int[256];
        public double[] CandIou = new double[256];
        public double[] GtArea = new double[32];
        public bool[] GtIgnore = new bool[32];
        public bool[] GtMatched = new bool[32];
        public ushort[] MatchBits = new ushort[MaxDet];
        public ushort[] IgnoreBits = new ushort[MaxDet];

        public void EnsureGt(int g)
        {
            if (GtArea.Length < g)
            {
                int n = Math.Max(g, GtArea.Length * 2);
                GtArea = new double[n];
                GtIgnore = new bool[n];
                GtMatched = new bool[n];
            }
        }

        public void EnsureCandidates(int n)
        {
            if (CandGt.Length < n)
            {
                int m = Math.Max(n, CandGt.Length * 2);
                Array.Resize(ref CandGt, m);
                Array.Resize(ref CandIou, m);
            }
        }
    }

    private static void EvaluateGroup(
        int g,
        int image,
        Grouping gt,
        Grouping dt,
        CocoBox[] gtBoxes,
        CocoBox[] dtBoxes,
        PerCategory cat,
        ImageScratch s,
        Span<int> npigOut)
    {
        ReadOnlySpan<int> gtIdx = gt.Order.AsSpan(gt.Start[g], gt.Start[g + 1] - gt.Start[g]);
        ReadOnlySpan<int> dtIdx = dt.Order.AsSpan(dt.Start[g], dt.Start[g + 1] - dt.Start[g]);
        int nG = gtIdx.Length;
        int nDt = dtIdx.Length;
        if (nG == 0 && nDt == 0)
        {
            return; // evaluateImg returns None
        }

        // Detections by score, descending, with a stable sort (ties keep insertion order); keep the first 100.
        if (s.Keys.Length < nDt)
        {
            s.Keys = new ulong[Math.Max(nDt, s.Keys.Length * 2)];
        }
        Span<ulong> keys = s.Keys.AsSpan(0, nDt);
        for (int j = 0; j < nDt; j++)
        {
            keys[j] = ((ulong)DescendingScoreKey(dtBoxes[dtIdx[j]].Score) << 32) | (uint)j;
        }
        keys.Sort();
        int nD = Math.Min(nDt, MaxDet);
        int slot0 = cat.GroupBase[image];
        for (int d = 0; d < nD; d++)
        {
            int di = dtIdx[(int)(keys[d] & 0xFFFF_FFFFu)];
            s.Det[d] = di;
            CocoBox b = dtBoxes[di];
            s.DetArea[d] = b.W * b.H; // loadRes: area = fl32(w*h)
            cat.Score[slot0 + d] = b.Score;
            cat.Rank[slot0 + d] = (byte)d;
        }

        // IoU (maskApi.c bbIou, float64, no crowd) of every kept detection with every GT; only pairs with
        // IoU ≥ iouThrs[0] can ever match, so keep those as per-detection candidate lists in GT order.
        s.EnsureGt(nG);
        s.EnsureCandidates(nD * nG);
        for (int gi = 0; gi < nG; gi++)
        {
            CocoBox b = gtBoxes[gtIdx[gi]];
            s.GtArea[gi] = b.W * b.H; // float(fl32(w*h))
        }
        int nc = 0;
        for (int d = 0; d < nD; d++)
        {
            s.CandStart[d] = nc;
            CocoBox db = dtBoxes[s.Det[d]];
            double dx = db.X, dy = db.Y, dw = db.W, dh = db.H;
            double da = dw * dh;
            for (int gi = 0; gi < nG; gi++)
            {
                CocoBox gb = gtBoxes[gtIdx[gi]];
                double gx = gb.X, gy = gb.Y, gw = gb.W, gh = gb.H;
                double w = FMin(dw + dx, gw + gx) - FMax(dx, gx);
                if (w <= 0)
                {
                    continue;
                }
                double h = FMin(dh + dy, gh + gy) - FMax(dy, gy);
                if (h <= 0)
                {
                    continue;
                }
                double inter = w * h;
                double iou = inter / (da + (gw * gh) - inter);
                if (!(iou < s_minIou))
                {
                    s.CandGt[nc] = gi;
                    s.CandIou[nc] = iou;
                    nc++;
                }
            }
        }
        s.CandStart[nD] = nc;

        for (int a = 0; a < A; a++)
        {
            (double lo, double hi) = CocoParams.AreaRanges[a];
            int npig = 0;
            for (int gi = 0; gi < nG; gi++)
            {
                bool ig = s.GtArea[gi] < lo || s.GtArea[gi] > hi;
                s.GtIgnore[gi] = ig;
                npig += ig ? 0 : 1;
            }
            npigOut[a] = npig;
            s.MatchBits.AsSpan(0, nD).Clear();
            s.IgnoreBits.AsSpan(0, nD).Clear();
            if (nc > 0)
            {
                for (int t = 0; t < T; t++)
                {
                    MatchAtThreshold(s, nD, nG, t);
                }
            }
            int o = (a * cat.Count) + slot0;
            for (int d = 0; d < nD; d++)
            {
                ushort ignore = s.IgnoreBits[d];
                if (s.DetArea[d] < lo || s.DetArea[d] > hi)
                {
                    // Unmatched detections outside the area range are ignored.
                    ignore |= (ushort)(~s.MatchBits[d] & ((1 << T) - 1));
                }
                cat.Matched[o + d] = s.MatchBits[d];
                cat.Ignored[o + d] = ignore;
            }
        }
    }

    /// <summary>
    /// evaluateImg's greedy matching at one threshold. GT is scanned in pycocotools' order (non-ignored first, each
    /// part in insertion order); an unmatched GT with IoU ≥ the best so far replaces it, so equal IoUs go to the
    /// later GT; once a non-ignored GT is matched, ignored GT are never considered (the <c>break</c>).
    /// </summary>
    private static void MatchAtThreshold(ImageScratch s, int nD, int nG, int t)
    {
        double thr = Math.Min(CocoParams.IouThresholds[t], 1 - 1e-10);
        Span<bool> matched = s.GtMatched.AsSpan(0, nG);
        matched.Clear();
        ushort bit = (ushort)(1 << t);
        for (int d = 0; d < nD; d++)
        {
            int c0 = s.CandStart[d];
            int c1 = s.CandStart[d + 1];
            double best = thr;
            int m = -1;
            for (int c = c0; c < c1; c++)
            {
                int gi = s.CandGt[c];
                if (s.GtIgnore[gi] || matched[gi] || s.CandIou[c] < best)
                {
                    continue;
                }
                best = s.CandIou[c];
                m = gi;
            }
            if (m == -1)
            {
                for (int c = c0; c < c1; c++)
                {
                    int gi = s.CandGt[c];
                    if (!s.GtIgnore[gi] || matched[gi] || s.CandIou[c] < best)
                    {
                        continue;
                    }
                    best = s.CandIou[c];
                    m = gi;
                }
            }
            if (m == -1)
            {
                continue;
            }
            matched[m] = true;
            s.MatchBits[d] |= bit;
            if (s.GtIgnore[m])
            {
                s.IgnoreBits[d] |= bit;
            }
        }
    }

    /// <summary>C's fmin/fmax: a NaN operand yields the other operand.</summary>
    private static double FMin(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : (a < b ? a : b);

    private static double FMax(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : (a > b ? a : b);

    /// <summary>
    /// <c>accumulate</c>: per category, the kept detections of all images sorted by score with a stable sort (ties keep
    /// image order, then within-image order); the subsequences for maxDet 1 and 10 keep that order.
    /// </summary>
    private static void Accumulate(PerCategory[] cats, long[] npig, CocoEvalResult result)
    {
        int k = cats.Length;
        var sorted = new int[k][];
        Parallel.For(0, k, c => sorted[c] = SortByScore(cats[c]));
        int mCount = CocoParams.MaxDets.Length;
        Parallel.For(0, k * mCount * A, job =>
        {
            int c = job / (mCount * A);
            int m = job / A % mCount;
            int a = job % A;
            if (npig[(c * A) + a] == 0)
            {
                return; // no non-ignored GT: precision and recall stay −1
            }
            AccumulateOne(cats[c], sorted[c], c, a, m, npig[(c * A) + a], result);
        });
    }

    private static int[] SortByScore(PerCategory cat)
    {
        int n = cat.Count;
        var keys = new ulong[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = ((ulong)DescendingScoreKey(cat.Score[i]) << 32) | (uint)i;
        }
        Array.Sort(keys);
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = (int)(keys[i] & 0xFFFF_FFFFu);
        }
        return order;
    }

    private static void AccumulateOne(PerCategory cat, int[] sorted, int c, int a, int m, long npig, CocoEvalResult result)
    {
        int maxDet = CocoParams.MaxDets[m];
        int n = cat.Count;
        var matched = new ushort[n];
        var ignored = new ushort[n];
        var score = new float[n];
        int nd = 0;
        int o = a * n;
        foreach (int p in sorted)
        {
            if (cat.Rank[p] < maxDet)
            {
                matched[nd] = cat.Matched[o + p];
                ignored[nd] = cat.Ignored[o + p];
                score[nd] = cat.Score[p];
                nd++;
            }
        }
        var rc = new double[nd];
        var pr = new double[nd];
        double[] recThrs = CocoParams.RecallThresholds;
        const double eps = 2.220446049250313e-16; // np.spacing(1)
        for (int t = 0; t < T; t++)
        {
            ushort bit = (ushort)(1 << t);
            long tp = 0;
            long fp = 0;
            for (int i = 0; i < nd; i++)
            {
                if ((ignored[i] & bit) == 0)
                {
                    if ((matched[i] & bit) != 0)
                    {
                        tp++;
                    }
                    else
                    {
                        fp++;
                    }
                }
                double tpd = tp;
                rc[i] = tpd / npig;
                pr[i] = tpd / ((fp + tpd) + eps);
            }
            result.Recall[result.RecallIndex(t, c, a, m)] = nd > 0 ? rc[nd - 1] : 0.0;
            for (int i = nd - 1; i > 0; i--)
            {
                if (pr[i] > pr[i - 1])
                {
                    pr[i - 1] = pr[i];
                }
            }
            // q[r] = pr[searchsorted(rc, recThrs[r], 'left')]; indices past the end leave 0.
            int pi = 0;
            for (int r = 0; r < CocoEvalResult.R; r++)
            {
                while (pi < nd && rc[pi] < recThrs[r])
                {
                    pi++;
                }
                int idx = result.PrecisionIndex(t, r, c, a, m);
                result.Precision[idx] = pi < nd ? pr[pi] : 0.0;
                result.Scores[idx] = pi < nd ? score[pi] : 0.0;
            }
        }
    }
}
