using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// Chooses the label frames of a sequence and the representation timestamps, reproducing
/// <c>preprocess_dataset.py::labels_and_ev_repr_timestamps</c> (docs/DATA.md §2.2–2.3) under a dataset's
/// <see cref="LabelFrameRule"/> (docs/DATA.md §8.4).
/// </summary>
public static class LabelFrameSelector
{
    /// <summary>The original's hard-coded representation step (ts_step_ev_repr_ms = 50).</summary>
    public const long DefaultReprStepUs = 50_000;

    /// <param name="filteredLabels">Labels after <see cref="LabelFilter"/>, sorted by t.</param>
    /// <param name="rule">The dataset's label-frame rule.</param>
    /// <param name="reprStepUs">
    /// Representation stride. 50 ms reproduces the original, including its (100 ms / 50 ms)·c = 2c steps per c base
    /// periods (gen1: one window every 125 ms, docs/DATA.md §2.3). Other values (true-rate preprocessing, no reference
    /// exists) give c·round(B / step) steps, so windows are ≈ step apart for gen1 too (exactly step when step divides
    /// the base period B); so does a rule without <see cref="LabelFrameRule.StepsPerPeriod"/>.
    /// </param>
    /// <param name="trueRate">
    /// Use c·round(B / step) steps at the original's 50 ms too, so windows are one step apart everywhere. The original's
    /// 2c (gen1: windows 125 ms apart inside labelled intervals, 50 ms outside) is a quirk of its arithmetic; models
    /// trained on it see another frame rate than a 20 Hz stream (the demo and the frequency study use this option).
    /// </param>
    public static LabelFrames Select(ReadOnlySpan<BoundingBox> filteredLabels, LabelFrameRule rule, string? sequenceName = null,
        long reprStepUs = DefaultReprStepUs, bool trueRate = false)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (reprStepUs <= 0)
        {
            throw new ArgumentException($"representation step {reprStepUs} µs must be positive");
        }
        long[] unique = UniqueSorted(filteredLabels);
        if (unique.Length == 0)
        {
            throw new NoLabelsException(sequenceName, "no labels are left after filtering");
        }
        long baseDelta = BaseDelta(unique, rule, sequenceName);
        int first = Array.FindIndex(unique, u => u >= rule.FirstUs);
        if (first < 0)
        {
            throw new NoLabelsException(sequenceName, $"every label time is before {rule.FirstUs} µs");
        }
        long stepsPerBase = rule.StepsPerPeriod is int perPeriod && reprStepUs == DefaultReprStepUs && !trueRate
            ? perPeriod
            : Math.Max(1, (long)Math.Round((double)baseDelta / reprStepUs, MidpointRounding.ToEven));
        var frames = new List<long> { unique[first] };
        var stepCounts = new List<long>();
        for (int i = first + 1; i < unique.Length; i++)
        {
            long r = frames[^1];
            long delta = unique[i] - r;
            long c = (long)Math.Round((double)delta / baseDelta, MidpointRounding.ToEven);
            if (Math.Abs(delta - (c * baseDelta)) > rule.ToleranceUs)
            {
                continue;
            }
            if (c <= 0)
            {
                // The original asserts here (docs/GOLDEN.md §4.4): a label within 2 ms after an accepted frame.
                throw new InvalidOperationException(
                    $"{sequenceName ?? "sequence"}: label time {unique[i]} µs lies within {rule.ToleranceUs} µs after the accepted frame {r} µs; the original preprocessing stops on such data");
            }
            frames.Add(unique[i]);
            stepCounts.Add(stepsPerBase * c);
        }

        var repr = new List<long>();
        long f0 = frames[0];
        // list(reversed(range(F0, 0, -step)))[1:-1]: drops the smallest positive value and F0 itself.
        var before = new List<long>();
        for (long t = f0; t > 0; t -= reprStepUs)
        {
            before.Add(t);
        }
        before.Reverse();
        if (before.Count > 2)
        {
            repr.AddRange(before.GetRange(1, before.Count - 2));
        }
        for (int k = 0; k < stepCounts.Count; k++)
        {
            long a = frames[k];
            long b = frames[k + 1];
            long n = stepCounts[k];
            // int64(np.linspace(a, b, n+1)): float64 k*step + a, truncated; the last point is exactly b.
            double step = (double)(b - a) / n;
            bool last = k == stepCounts.Count - 1;
            for (long j = 0; j < n; j++)
            {
                repr.Add((long)((j * step) + a));
            }
            if (last)
            {
                repr.Add(b);
            }
        }
        if (frames.Count == 1)
        {
            repr.Add(f0);
        }

        long[] reprArr = repr.ToArray();
        var frameToRepr = new long[frames.Count];
        for (int k = 0; k < frames.Count; k++)
        {
            int idx = Array.BinarySearch(reprArr, frames[k]);
            if (idx < 0)
            {
                throw new InvalidOperationException($"{sequenceName}: frame {frames[k]} µs is not a representation timestamp");
            }
            while (idx > 0 && reprArr[idx - 1] == frames[k])
            {
                idx--;
            }
            frameToRepr[k] = idx;
        }

        var labels = new List<BoundingBox>();
        var labelIdx = new long[frames.Count];
        var frameSet = new Dictionary<long, int>();
        for (int k = 0; k < frames.Count; k++)
        {
            frameSet[frames[k]] = k;
        }
        // Labels of a frame are all rows with t == frame time, frames in time order.
        var perFrame = new List<BoundingBox>[frames.Count];
        for (int k = 0; k < perFrame.Length; k++)
        {
            perFrame[k] = [];
        }
        foreach (BoundingBox b in filteredLabels)
        {
            if (frameSet.TryGetValue(b.T, out int k))
            {
                perFrame[k].Add(b);
            }
        }
        for (int k = 0; k < frames.Count; k++)
        {
            labelIdx[k] = labels.Count;
            labels.AddRange(perFrame[k]);
        }
        return new LabelFrames(frames.ToArray(), reprArr, frameToRepr, labels.ToArray(), labelIdx, baseDelta);
    }

    /// <summary>
    /// The base period B: the rule's fixed period (gen1: 250 ms), else from the median label period m: the rate
    /// rint(1e6/m) must be one of the accepted ones, and B = int(n·m) with n = max(1, round(spacing/m)), which is the
    /// original's int(6m) at 60 Hz and int(3m) at 30 Hz.
    /// </summary>
    public static long BaseDelta(long[] uniqueSortedTimes, LabelFrameRule rule, string? sequenceName = null)
    {
        ArgumentNullException.ThrowIfNull(uniqueSortedTimes);
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.PeriodUs is long fixedPeriod)
        {
            return fixedPeriod;
        }
        if (uniqueSortedTimes.Length < 2)
        {
            throw new NoLabelsException(sequenceName, "at least two label times are needed to find the label rate");
        }
        var diffs = new double[uniqueSortedTimes.Length - 1];
        for (int i = 0; i < diffs.Length; i++)
        {
            diffs[i] = uniqueSortedTimes[i + 1] - uniqueSortedTimes[i];
        }
        Array.Sort(diffs);
        int n = diffs.Length;
        double median = n % 2 == 1 ? diffs[n / 2] : (diffs[(n / 2) - 1] + diffs[n / 2]) / 2.0;
        double hz = Math.Round(1e6 / median, MidpointRounding.ToEven);
        if (rule.RatesHz.Count > 0 && !rule.RatesHz.Contains((int)hz))
        {
            throw new InvalidOperationException(
                $"{sequenceName ?? "sequence"}: label rate {hz} Hz (median period {median} µs) is not one of the dataset's rates ({string.Join(", ", rule.RatesHz)} Hz)");
        }
        double periods = Math.Max(1, Math.Round(rule.SpacingUs / median, MidpointRounding.ToEven));
        return (long)(periods * median);
    }

    private static long[] UniqueSorted(ReadOnlySpan<BoundingBox> boxes)
    {
        var set = new SortedSet<long>();
        foreach (BoundingBox b in boxes)
        {
            set.Add(b.T);
        }
        return set.ToArray();
    }
}
