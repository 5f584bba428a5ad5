namespace EventSsm.Detections;

/// <summary>
/// Greedy NMS, a port of torchvision 0.14's CPU <c>nms</c> and <c>batched_nms</c> (no torchvision in .NET): the float32
/// arithmetic and tie order are torchvision's, so detections equal the original's (docs/MODEL.md §6.3).
/// </summary>
public static class Nms
{
    /// <summary>
    /// Greedy NMS over boxes [x1, y1, x2, y2] (flattened, 4 per box): visits boxes by descending score (stable for
    /// ties) and suppresses every later box whose IoU with a kept one is &gt; <paramref name="iouThreshold"/>.
    /// Returns the kept indices in descending score order. Arithmetic as torchvision's CPU kernel (float32 areas
    /// and intersections, the ratio compared in double).
    /// </summary>
    public static int[] Greedy(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, double iouThreshold)
    {
        int n = scores.Length;
        if (boxes.Length != 4 * n)
        {
            throw new ArgumentException($"Expected {4 * n} box coordinates for {n} scores, got {boxes.Length}.", nameof(boxes));
        }
        int[] order = StableDescendingOrder(scores);
        var areas = new float[n];
        for (int i = 0; i < n; i++)
        {
            areas[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
        }
        var suppressed = new bool[n];
        var keep = new List<int>();
        for (int oi = 0; oi < n; oi++)
        {
            int i = order[oi];
            if (suppressed[i])
            {
                continue;
            }
            keep.Add(i);
            float ix1 = boxes[4 * i], iy1 = boxes[4 * i + 1], ix2 = boxes[4 * i + 2], iy2 = boxes[4 * i + 3];
            for (int oj = oi + 1; oj < n; oj++)
            {
                int j = order[oj];
                if (suppressed[j])
                {
                    continue;
                }
                float w = Math.Max(0f, Math.Min(ix2, boxes[4 * j + 2]) - Math.Max(ix1, boxes[4 * j]));
                float h = Math.Max(0f, Math.Min(iy2, boxes[4 * j + 3]) - Math.Max(iy1, boxes[4 * j + 1]));
                float inter = w * h;
                float ovr = inter / (areas[i] + areas[j] - inter);
                if (ovr > iouThreshold)
                {
                    suppressed[j] = true;
                }
            }
        }
        return [.. keep];
    }

    /// <summary>
    /// Class-aware NMS as torchvision 0.14 <c>batched_nms</c> on CPU: up to 1000 boxes it shifts every class into
    /// its own coordinate range (offset class·(max coordinate + 1), float32) and runs one NMS; above that it runs
    /// NMS per class and merges by descending score. The offset changes float32 rounding of the IoUs, which is why
    /// both paths are kept. Returns kept indices in descending score order.
    /// </summary>
    public static int[] Batched(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classes, double iouThreshold)
    {
        int n = scores.Length;
        if (boxes.Length != 4 * n || classes.Length != n)
        {
            throw new ArgumentException($"Expected {4 * n} box coordinates and {n} class ids for {n} scores, got {boxes.Length} and {classes.Length}.");
        }
        if (n == 0)
        {
            return [];
        }
        return boxes.Length > 4000 ? BatchedNmsPerClass(boxes, scores, classes, iouThreshold) : BatchedNmsCoordinateTrick(boxes, scores, classes, iouThreshold);
    }

    private static int[] BatchedNmsCoordinateTrick(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classes, double iouThreshold)
    {
        float maxCoordinate = float.NegativeInfinity;
        foreach (float v in boxes)
        {
            maxCoordinate = Math.Max(maxCoordinate, v);
        }
        float step = maxCoordinate + 1f;
        var shifted = new float[boxes.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            float offset = classes[i] * step;
            for (int c = 0; c < 4; c++)
            {
                shifted[4 * i + c] = boxes[4 * i + c] + offset;
            }
        }
        return Greedy(shifted, scores, iouThreshold);
    }

    private static int[] BatchedNmsPerClass(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<int> classes, double iouThreshold)
    {
        var kept = new List<int>();
        int[] classIds = classes.ToArray();
        foreach (IGrouping<int, int> group in Enumerable.Range(0, classIds.Length).GroupBy(i => classIds[i]))
        {
            int[] members = [.. group];
            var b = new float[4 * members.Length];
            var s = new float[members.Length];
            for (int m = 0; m < members.Length; m++)
            {
                boxes.Slice(4 * members[m], 4).CopyTo(b.AsSpan(4 * m, 4));
                s[m] = scores[members[m]];
            }
            kept.AddRange(Greedy(b, s, iouThreshold).Select(k => members[k]));
        }
        // torchvision: keep indices in ascending order, then sorted by descending score.
        kept.Sort();
        float[] allScores = scores.ToArray();
        return kept.OrderByDescending(i => allScores[i]).ToArray();
    }

    private static int[] StableDescendingOrder(ReadOnlySpan<float> scores)
    {
        float[] s = scores.ToArray();
        return Enumerable.Range(0, s.Length).OrderByDescending(i => s[i]).ToArray();
    }
}
