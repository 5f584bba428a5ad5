using System.Buffers;
using System.Collections.Concurrent;

namespace EventSsm.Evaluation;

/// <summary>
/// A re-implementation of pycocotools' <c>COCOeval</c> for boxes (<c>evaluate</c> + <c>accumulate</c>), with the
/// default parameters and every matching, tie and averaging rule of docs/DATA.md §5. Results do not depend on
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

    /// <summary>Runs COCOeval's evaluate and accumulate on every image of <paramref name="images"/>.</summary>
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

    private static Grouping Group(CocoBox[] boxes, CocoImageSet images, int k, bool isDetection)
    {
        int groups = images.ImageCount * k;
        int n = isDetection ? images.DetectionCount : images.GroundTruthCount;
        var start = new int[groups + 1];
        var key = new int[n];
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
        int[] fill = start[..groups];
        var order = new int[n];
        for (int j = 0; j < n; j++)
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
        CocoBox[] gtBoxes = images.GroundTruth;
        CocoBox[] dtBoxes = images.Detections;
        OrderablePartitioner<Tuple<int, int>> ranges = Partitioner.Create(0, Math.Max(groups, 1), Math.Max(64, groups / 64));
        Parallel.ForEach(
            ranges,
            () => new ImageScratch(),
            (range, _, scratch) =>
            {
                for (int g = range.Item1; g < Math.Min(range.Item2, groups); g++)
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
        public int[] CandDets = new int[MaxDet];
        public int[] CandGt = new int[256];
        public double[] CandIou = new double[256];
        public double[] GtArea = new double[32];
        public double[] GtX1 = new double[32];
        public double[] GtY1 = new double[32];
        public double[] GtX2 = new double[32];
        public double[] GtY2 = new double[32];
        public double[] GtBoxArea = new double[32];
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
                GtX1 = new double[n];
                GtY1 = new double[n];
                GtX2 = new double[n];
                GtY2 = new double[n];
                GtBoxArea = new double[n];
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

        // IoU (maskApi.c bbIou, float64, no crowd: w = fmin(dw+dx, gw+gx) - fmax(dx, gx)) of every kept detection
        // with every GT, the plain comparisons falling back to fmin/fmax semantics for NaN; only pairs with
        // IoU ≥ iouThrs[0] can ever match, so keep those as per-detection candidate lists in GT order.
        s.EnsureGt(nG);
        s.EnsureCandidates(nD * nG);
        Span<double> gx1 = s.GtX1.AsSpan(0, nG), gy1 = s.GtY1.AsSpan(0, nG);
        Span<double> gx2 = s.GtX2.AsSpan(0, nG), gy2 = s.GtY2.AsSpan(0, nG), ga = s.GtBoxArea.AsSpan(0, nG);
        for (int gi = 0; gi < nG; gi++)
        {
            CocoBox b = gtBoxes[gtIdx[gi]];
            s.GtArea[gi] = b.W * b.H; // float(fl32(w*h))
            gx1[gi] = b.X;
            gy1[gi] = b.Y;
            gx2[gi] = (double)b.W + b.X;
            gy2[gi] = (double)b.H + b.Y;
            ga[gi] = (double)b.W * b.H;
        }
        int nc = 0;
        for (int d = 0; d < nD; d++)
        {
            s.CandStart[d] = nc;
            CocoBox db = dtBoxes[s.Det[d]];
            double dx = db.X, dy = db.Y, dx2 = (double)db.W + db.X, dy2 = (double)db.H + db.Y;
            double da = (double)db.W * db.H;
            for (int gi = 0; gi < nG; gi++)
            {
                double w = (dx2 < gx2[gi] ? dx2 : gx2[gi]) - (dx > gx1[gi] ? dx : gx1[gi]);
                if (double.IsNaN(w))
                {
                    w = FMin(dx2, gx2[gi]) - FMax(dx, gx1[gi]);
                }
                if (w <= 0)
                {
                    continue;
                }
                double h = (dy2 < gy2[gi] ? dy2 : gy2[gi]) - (dy > gy1[gi] ? dy : gy1[gi]);
                if (double.IsNaN(h))
                {
                    h = FMin(dy2, gy2[gi]) - FMax(dy, gy1[gi]);
                }
                if (h <= 0)
                {
                    continue;
                }
                double inter = w * h;
                double iou = inter / (da + ga[gi] - inter);
                if (!(iou < s_minIou))
                {
                    s.CandGt[nc] = gi;
                    s.CandIou[nc] = iou;
                    nc++;
                }
            }
        }
        s.CandStart[nD] = nc;
        int nCandDets = 0;
        for (int d = 0; d < nD; d++)
        {
            if (s.CandStart[d + 1] > s.CandStart[d])
            {
                s.CandDets[nCandDets++] = d;
            }
        }

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
                    MatchAtThreshold(s, nCandDets, nG, t);
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
    private static void MatchAtThreshold(ImageScratch s, int nCandDets, int nG, int t)
    {
        double thr = Math.Min(CocoParams.IouThresholds[t], 1 - 1e-10);
        Span<bool> matched = s.GtMatched.AsSpan(0, nG);
        matched.Clear();
        ReadOnlySpan<bool> gtIgnore = s.GtIgnore.AsSpan(0, nG);
        ReadOnlySpan<int> candStart = s.CandStart;
        ReadOnlySpan<int> candGt = s.CandGt;
        ReadOnlySpan<double> candIou = s.CandIou;
        Span<ushort> matchBits = s.MatchBits;
        Span<ushort> ignoreBits = s.IgnoreBits;
        ushort bit = (ushort)(1 << t);
        // Detections without candidates can never match; CandDets lists the others in score order.
        foreach (int d in s.CandDets.AsSpan(0, nCandDets))
        {
            int c0 = candStart[d];
            int c1 = candStart[d + 1];
            double best = thr;
            int m = -1;
            for (int c = c0; c < c1; c++)
            {
                int gi = candGt[c];
                if (gtIgnore[gi] || matched[gi] || candIou[c] < best)
                {
                    continue;
                }
                best = candIou[c];
                m = gi;
            }
            if (m == -1)
            {
                for (int c = c0; c < c1; c++)
                {
                    int gi = candGt[c];
                    if (!gtIgnore[gi] || matched[gi] || candIou[c] < best)
                    {
                        continue;
                    }
                    best = candIou[c];
                    m = gi;
                }
            }
            if (m == -1)
            {
                continue;
            }
            matched[m] = true;
            matchBits[d] |= bit;
            if (gtIgnore[m])
            {
                ignoreBits[d] |= bit;
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
        int mCount = CocoParams.MaxDets.Length;
        var sequences = new Sequence[k * mCount];
        Parallel.For(0, k, c =>
        {
            int[] order = StableSortByScore(cats[c]);
            for (int m = 0; m < mCount; m++)
            {
                sequences[(c * mCount) + m] = Gather(cats[c], order, CocoParams.MaxDets[m]);
            }
        });
        Parallel.For(0, k * mCount * A, job =>
        {
            int c = job / (mCount * A);
            int m = job / A % mCount;
            int a = job % A;
            if (npig[(c * A) + a] != 0)
            {
                AccumulateOne(sequences[(c * mCount) + m], a, npig[(c * A) + a], result, c, m);
            }
            // else: no non-ignored GT, precision and recall stay −1.
        });
    }

    /// <summary>One category's detections for one maxDet, in accumulate's sorted order.</summary>
    private sealed class Sequence(float[] score, ushort[] matched, ushort[] ignored)
    {
        public float[] Score { get; } = score;

        public ushort[] Matched { get; } = matched; // [A * n]

        public ushort[] Ignored { get; } = ignored; // [A * n]

        public int Count => Score.Length;
    }

    /// <summary>
    /// Positions sorted by score, descending, ties in position order (NumPy's stable mergesort on −score): an LSD
    /// radix sort on the 32-bit score key, which is stable by construction.
    /// </summary>
    private static int[] StableSortByScore(PerCategory cat)
    {
        int n = cat.Count;
        var keys = new uint[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = DescendingScoreKey(cat.Score[i]);
            order[i] = i;
        }
        var keys2 = new uint[n];
        var order2 = new int[n];
        Span<int> counts = stackalloc int[1 << 11];
        for (int shift = 0; shift < 32; shift += 11)
        {
            counts.Clear();
            for (int i = 0; i < n; i++)
            {
                counts[(int)((keys[i] >> shift) & 0x7FF)]++;
            }
            int sum = 0;
            for (int b = 0; b < counts.Length; b++)
            {
                int c = counts[b];
                counts[b] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++)
            {
                int dst = counts[(int)((keys[i] >> shift) & 0x7FF)]++;
                keys2[dst] = keys[i];
                order2[dst] = order[i];
            }
            (keys, keys2) = (keys2, keys);
            (order, order2) = (order2, order);
        }
        return order;
    }

    private static Sequence Gather(PerCategory cat, int[] order, int maxDet)
    {
        int n = cat.Count;
        int nd = 0;
        foreach (int p in order)
        {
            nd += cat.Rank[p] < maxDet ? 1 : 0;
        }
        var score = new float[nd];
        var matched = new ushort[A * nd];
        var ignored = new ushort[A * nd];
        int j = 0;
        foreach (int p in order)
        {
            if (cat.Rank[p] >= maxDet)
            {
                continue;
            }
            score[j] = cat.Score[p];
            for (int a = 0; a < A; a++)
            {
                matched[(a * nd) + j] = cat.Matched[(a * n) + p];
                ignored[(a * nd) + j] = cat.Ignored[(a * n) + p];
            }
            j++;
        }
        return new Sequence(score, matched, ignored);
    }

    /// <summary>
    /// precision, recall and scores for one (category, area, maxDet). Ignored detections leave tp and fp unchanged, so
    /// their rc and pr repeat the previous entry (or are 0 at the start); dropping them changes neither the
    /// right-to-left maximum nor any <c>searchsorted(rc, thr, 'left')</c> hit for thr &gt; 0. The one place they
    /// show is recall threshold 0, which always hits index 0: its score is the first detection's, ignored or not.
    /// </summary>
    private static void AccumulateOne(Sequence seq, int a, long npig, CocoEvalResult result, int c, int m)
    {
        int nd = seq.Count;
        ReadOnlySpan<ushort> matched = seq.Matched.AsSpan(a * nd, nd);
        ReadOnlySpan<ushort> ignored = seq.Ignored.AsSpan(a * nd, nd);
        long[] tpAt = ArrayPool<long>.Shared.Rent(nd);
        double[] pr = ArrayPool<double>.Shared.Rent(nd);
        int[] kept = ArrayPool<int>.Shared.Rent(nd);
        double[] recThrs = CocoParams.RecallThresholds;
        const double eps = 2.220446049250313e-16; // np.spacing(1)
        for (int t = 0; t < T; t++)
        {
            ushort bit = (ushort)(1 << t);
            long tp = 0;
            long fp = 0;
            int n = 0;
            for (int i = 0; i < nd; i++)
            {
                if ((ignored[i] & bit) != 0)
                {
                    continue;
                }
                if ((matched[i] & bit) != 0)
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
                double tpd = tp;
                tpAt[n] = tp;
                pr[n] = tpd / ((fp + tpd) + eps);
                kept[n] = i;
                n++;
            }
            // recall = rc[-1] if nd else 0, with rc = tp / npig.
            result.Recall[result.RecallIndex(t, c, a, m)] = n > 0 ? tpAt[n - 1] / (double)npig : 0.0;
            for (int i = n - 1; i > 0; i--)
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
                while (pi < n && tpAt[pi] / (double)npig < recThrs[r])
                {
                    pi++;
                }
                int idx = result.PrecisionIndex(t, r, c, a, m);
                if (r == 0)
                {
                    result.Precision[idx] = n > 0 ? pr[0] : 0.0;
                    result.Scores[idx] = nd > 0 ? seq.Score[0] : 0.0;
                }
                else
                {
                    result.Precision[idx] = pi < n ? pr[pi] : 0.0;
                    result.Scores[idx] = pi < n ? seq.Score[kept[pi]] : 0.0;
                }
            }
        }
        ArrayPool<long>.Shared.Return(tpAt);
        ArrayPool<double>.Shared.Return(pr);
        ArrayPool<int>.Shared.Return(kept);
    }
}
