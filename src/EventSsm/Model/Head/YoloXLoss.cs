using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Head;

/// <summary>
/// YOLOX training loss (<c>YOLOXHead.get_losses</c>, docs/MODEL.md §6.4): SimOTA assignment per frame, then
/// 5·IoU loss (1 − IoU²) + objectness BCE over all anchors + class BCE against onehot·IoU over the foreground,
/// each divided by the number of foreground anchors. L1 is off, as in the original.
/// </summary>
public static class YoloXLoss
{
    public const double RegWeight = 5.0;

    /// <param name="outputs">Head outputs; the loss uses <see cref="HeadOutputs.Raw"/> (decoded boxes, logits).</param>
    /// <param name="targets">(N, maxBoxes, 5) rows [cls, cx, cy, w, h] in input pixels, zero-padded. A row is a label
    /// when its sum is &gt; 0 and labels must come first (the original takes the first count rows).</param>
    public static YoloXLosses Compute(HeadOutputs outputs, Tensor targets, int numClasses)
    {
        Tensor raw = outputs.Raw;
        long frames = raw.shape[0], numAnchors = raw.shape[1];
        if (raw.shape[2] != 5 + numClasses)
        {
            throw new ArgumentException($"Head outputs have {raw.shape[2]} channels, expected 5 + {numClasses}.", nameof(outputs));
        }
        if (targets.dim() != 3 || targets.shape[0] != frames || targets.shape[2] != 5)
        {
            throw new ArgumentException($"Targets must have shape ({frames}, maxBoxes, 5), got ({string.Join(", ", targets.shape)}).", nameof(targets));
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor labels = targets.to(raw.device).to_type(float32);
        Tensor bboxPreds = raw[.., .., 0..4];
        Tensor objPreds = raw[.., .., 4..5];
        Tensor clsPreds = raw[.., .., 5..];
        long[] nlabel = labels.sum(2).gt(Of(0)).sum(1).cpu().data<long>().ToArray();

        var assignments = new SimOtaAssignment[frames];
        var fgAnchors = new List<long>();      // flat indices frame·A + anchor, as fg_masks concatenated
        var regTargets = new List<Tensor>();
        var clsTargets = new List<Tensor>();
        double numFg = 0, numGts = 0;
        for (int b = 0; b < frames; b++)
        {
            int numGt = (int)nlabel[b];
            numGts += numGt;
            if (numGt == 0)
            {
                assignments[b] = SimOtaAssignment.Empty;
                continue;
            }
            Tensor gtBoxes = labels[b, 0..numGt, 1..5];
            Tensor gtClasses = labels[b, 0..numGt, 0];
            SimOtaAssignment a = SimOta.Assign(gtBoxes, gtClasses, bboxPreds[b], clsPreds[b], objPreds[b], outputs.Anchors, numClasses);
            assignments[b] = a;
            numFg += a.NumForeground;
            if (a.NumForeground == 0)
            {
                continue;
            }
            fgAnchors.AddRange(a.AnchorIndices.Select(i => b * numAnchors + i));
            regTargets.Add(gtBoxes.index_select(0, tensor(a.MatchedGt.Select(i => (long)i).ToArray(), device: raw.device)));
            Tensor onehot = functional.one_hot(tensor(a.MatchedClasses.Select(i => (long)i).ToArray(), device: raw.device), numClasses).to_type(float32);
            clsTargets.Add(onehot * tensor(a.Ious, device: raw.device).unsqueeze(-1));
        }

        double divisor = Math.Max(numFg, 1);
        using Scalar divisorScalar = Owned(divisor);
        Tensor fgIndex = tensor(fgAnchors.ToArray(), int64, raw.device);
        Tensor objTargets = zeros(frames * numAnchors, 1, float32, raw.device).index_fill_(0, fgIndex, Of(1.0));
        Tensor lossObj = functional.binary_cross_entropy_with_logits(objPreds.reshape(-1, 1), objTargets, reduction: Reduction.None).sum().div(divisorScalar);
        Tensor lossIou, lossCls;
        if (fgAnchors.Count > 0)
        {
            Tensor fgBoxes = bboxPreds.reshape(-1, 4).index_select(0, fgIndex);
            lossIou = IouLoss(fgBoxes, cat(regTargets, 0)).sum().div(divisorScalar);
            Tensor fgCls = clsPreds.reshape(-1, numClasses).index_select(0, fgIndex);
            lossCls = functional.binary_cross_entropy_with_logits(fgCls, cat(clsTargets, 0), reduction: Reduction.None).sum().div(divisorScalar);
        }
        else
        {
            // Sums over an empty foreground: zero, still connected to the graph.
            lossIou = bboxPreds.sum().mul(Of(0.0));
            lossCls = clsPreds.sum().mul(Of(0.0));
        }
        Tensor iouWeighted = lossIou.mul(Of(RegWeight));
        Tensor total = iouWeighted.add(lossObj, One).add(lossCls, One);
        return new YoloXLosses(
            total.MoveToOuterDisposeScope(),
            iouWeighted.MoveToOuterDisposeScope(),
            lossObj.MoveToOuterDisposeScope(),
            lossCls.MoveToOuterDisposeScope(),
            0.0,
            divisor / Math.Max(numGts, 1),
            assignments);
    }

    /// <summary>YOLOX <c>IOUloss(loss_type="iou")</c> per row: 1 − IoU² of [cx, cy, w, h] boxes, eps 1e-16.</summary>
    public static Tensor IouLoss(Tensor pred, Tensor target)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor predHalf = pred[.., 2..4].div(Of(2)), targetHalf = target[.., 2..4].div(Of(2));
        Tensor tl = maximum(pred[.., 0..2] - predHalf, target[.., 0..2] - targetHalf);
        Tensor br = minimum(pred[.., 0..2].add(predHalf, One), target[.., 0..2].add(targetHalf, One));
        Tensor areaP = pred[.., 2..4].prod(1);
        Tensor areaG = target[.., 2..4].prod(1);
        Tensor en = (tl < br).to_type(tl.dtype).prod(1);
        Tensor areaI = (br - tl).prod(1) * en;
        Tensor areaU = areaP.add(areaG, One) - areaI;
        Tensor iou = areaI / areaU.add(Of(1e-16), One);
        // 1 − iou², as TorchSharp's operator computes it: −x + 1.
        return iou.pow(Of(2)).negative().add(Of(1), One).MoveToOuterDisposeScope();
    }
}
