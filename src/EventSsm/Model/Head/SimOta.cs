using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Head;

/// <summary>
/// SimOTA label assignment of the YOLOX head (<c>get_assignments</c>, <c>get_geometry_constraint</c>,
/// <c>simota_matching</c>; docs/MODEL.md §6.4). Runs without gradients on one frame.
/// </summary>
public static class SimOta
{
    /// <summary>Centre prior: an anchor is a candidate for a box when its centre lies within ±1.5 strides of the box
    /// centre (no in-box test).</summary>
    public const double CenterRadius = 1.5;

    /// <param name="gtBoxes">(G, 4) [cx, cy, w, h], G ≥ 1.</param>
    /// <param name="gtClasses">(G) class ids as float (the label column).</param>
    /// <param name="boxPreds">(A, 4) decoded predicted boxes [cx, cy, w, h].</param>
    /// <param name="clsLogits">(A, nc) class logits.</param>
    /// <param name="objLogits">(A, 1) objectness logits.</param>
    public static SimOtaAssignment Assign(Tensor gtBoxes, Tensor gtClasses, Tensor boxPreds, Tensor clsLogits, Tensor objLogits, AnchorGrid anchors, int numClasses)
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        int numGt = (int)gtBoxes.shape[0];

        // get_geometry_constraint
        Tensor xCenters = (anchors.XShifts.add(Of(0.5), One) * anchors.Strides).unsqueeze(0);
        Tensor yCenters = (anchors.YShifts.add(Of(0.5), One) * anchors.Strides).unsqueeze(0);
        Tensor centerDist = anchors.Strides.unsqueeze(0).mul(Of(CenterRadius));
        Tensor gx = gtBoxes[.., 0..1], gy = gtBoxes[.., 1..2];
        Tensor cL = xCenters - (gx - centerDist);
        Tensor cR = gx.add(centerDist, One) - xCenters;
        Tensor cT = yCenters - (gy - centerDist);
        Tensor cB = gy.add(centerDist, One) - yCenters;
        Tensor isInCenters = stack([cL, cT, cR, cB], 2).amin(-1).gt(Of(0.0));                  // (G, A)
        Tensor candidates = isInCenters.sum(dim: 0).gt(Of(0)).nonzero().reshape(-1);                // anchor_filter, (M)
        long[] candidateAnchors = candidates.cpu().data<long>().ToArray();
        int m = candidateAnchors.Length;
        if (m == 0)
        {
            return SimOtaAssignment.Empty;
        }
        Tensor geometry = isInCenters.index_select(1, candidates);                          // (G, M)

        // get_assignments: cost = BCE(√(σcls·σobj), onehot) + 3·(−ln(IoU + 1e−8)) + 1e6·¬candidate
        Tensor preds = boxPreds.index_select(0, candidates);
        Tensor ious = BoxOps.PairwiseIouCxcywh(gtBoxes, preds);                             // (G, M)
        Tensor gtOneHot = functional.one_hot(gtClasses.to_type(int64), numClasses).to_type(float32);
        Tensor iouLoss = -log(ious.add(Of(1e-8), One));
        Tensor p = (sigmoid(clsLogits.index_select(0, candidates).to_type(float32)) * sigmoid(objLogits.index_select(0, candidates).to_type(float32))).sqrt();
        Tensor clsLoss = functional.binary_cross_entropy(
            p.unsqueeze(0).expand(numGt, m, numClasses),
            gtOneHot.unsqueeze(1).expand(numGt, m, numClasses),
            reduction: Reduction.None).sum(-1);
        Tensor cost = clsLoss.add(iouLoss.mul(Of(3.0)), One).add(geometry.logical_not().to_type(float32).mul(Of(1e6)), One);

        // The dynamic-k matching runs on the host (docs/MODEL.md §6.4): the only values that leave the device.
        float[] costs = cost.cpu().contiguous().data<float>().ToArray();
        float[] iouValues = ious.cpu().contiguous().data<float>().ToArray();
        int[] classes = gtClasses.to_type(int64).cpu().data<long>().Select(c => (int)c).ToArray();
        return Match(costs, iouValues, numGt, m, candidateAnchors, classes);
    }

    // simota_matching on host arrays (G × M row-major).
    private static SimOtaAssignment Match(float[] cost, float[] ious, int numGt, int m, long[] candidateAnchors, int[] gtClasses)
    {
        int nCandidateK = Math.Min(10, m);
        var matching = new bool[numGt, m];
        var matchCount = new int[m];
        for (int g = 0; g < numGt; g++)
        {
            // dynamic_k = clamp(int(sum of the top-k IoUs), min=1); the sum is float32 as in torch.
            float topSum = 0f;
            foreach (float v in ious.AsSpan(g * m, m).ToArray().OrderDescending().Take(nCandidateK))
            {
                topSum += v;
            }
            int dynamicK = Math.Max(1, (int)topSum);
            int[] lowest = Enumerable.Range(0, m).OrderBy(j => cost[g * m + j]).Take(dynamicK).ToArray();
            foreach (int j in lowest)
            {
                matching[g, j] = true;
                matchCount[j]++;
            }
        }

        var anchors = new List<int>();
        var matchedGt = new List<int>();
        var matchedClasses = new List<int>();
        var matchedIous = new List<float>();
        for (int j = 0; j < m; j++)
        {
            if (matchCount[j] == 0)
            {
                continue;
            }
            int gt;
            if (matchCount[j] > 1)
            {
                // An anchor matched to several boxes keeps the one with the minimum cost (first on ties, as torch.min).
                gt = 0;
                for (int g = 1; g < numGt; g++)
                {
                    if (cost[g * m + j] < cost[gt * m + j])
                    {
                        gt = g;
                    }
                }
            }
            else
            {
                gt = 0;
                while (!matching[gt, j])
                {
                    gt++;
                }
            }
            anchors.Add((int)candidateAnchors[j]);
            matchedGt.Add(gt);
            matchedClasses.Add(gtClasses[gt]);
            matchedIous.Add(ious[gt * m + j]);
        }
        return new SimOtaAssignment([.. anchors], [.. matchedGt], [.. matchedClasses], [.. matchedIous]);
    }
}
