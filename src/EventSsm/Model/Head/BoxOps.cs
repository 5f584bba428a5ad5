using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Head;

/// <summary>
/// Box geometry used by the YOLOX loss: pairwise IoU (YOLOX <c>bboxes_iou</c>, float32, no +1 pixel convention).
/// NMS lives in the runtime (<see cref="Detections.Nms"/>), shared by every backend.
/// </summary>
public static class BoxOps
{
    /// <summary>IoU of every box in <paramref name="a"/> (N, 4) with every box in <paramref name="b"/> (M, 4), both
    /// [cx, cy, w, h]. Returns (N, M). As <c>bboxes_iou(a, b, xyxy=False)</c>: no epsilon in the denominator.</summary>
    public static Tensor PairwiseIouCxcywh(Tensor a, Tensor b)
    {
        CheckBoxes(a, nameof(a));
        CheckBoxes(b, nameof(b));
        using DisposeScope scope = NewDisposeScope();
        Tensor aXy = a[.., 0..2].unsqueeze(1), aWh = a[.., 2..4].unsqueeze(1);
        Tensor bXy = b[.., 0..2], bWh = b[.., 2..4];
        Tensor aHalf = aWh.div(Of(2)), bHalf = bWh.div(Of(2));
        Tensor tl = maximum(aXy - aHalf, bXy - bHalf);
        Tensor br = minimum(aXy.add(aHalf, One), bXy.add(bHalf, One));
        Tensor areaA = a[.., 2..4].prod(1);
        Tensor areaB = b[.., 2..4].prod(1);
        return Finish(tl, br, areaA, areaB).MoveToOuterDisposeScope();
    }

    /// <summary>IoU of every box in <paramref name="a"/> (N, 4) with every box in <paramref name="b"/> (M, 4), both
    /// [x1, y1, x2, y2]. Returns (N, M). As <c>bboxes_iou(a, b, xyxy=True)</c>.</summary>
    public static Tensor PairwiseIouXyxy(Tensor a, Tensor b)
    {
        CheckBoxes(a, nameof(a));
        CheckBoxes(b, nameof(b));
        using DisposeScope scope = NewDisposeScope();
        Tensor tl = maximum(a[.., 0..2].unsqueeze(1), b[.., 0..2]);
        Tensor br = minimum(a[.., 2..4].unsqueeze(1), b[.., 2..4]);
        Tensor areaA = (a[.., 2..4] - a[.., 0..2]).prod(1);
        Tensor areaB = (b[.., 2..4] - b[.., 0..2]).prod(1);
        return Finish(tl, br, areaA, areaB).MoveToOuterDisposeScope();
    }

    private static Tensor Finish(Tensor tl, Tensor br, Tensor areaA, Tensor areaB)
    {
        // en = (tl < br).prod(2): a pair without overlap on either axis has zero intersection.
        Tensor en = (tl < br).to_type(tl.dtype).prod(2);
        Tensor areaI = (br - tl).prod(2) * en;
        return areaI / (areaA.unsqueeze(1).add(areaB, One) - areaI);
    }

    private static void CheckBoxes(Tensor t, string name)
    {
        if (t.dim() != 2 || t.shape[1] != 4)
        {
            throw new ArgumentException($"Boxes must have shape (N, 4), got ({string.Join(", ", t.shape)}).", name);
        }
    }
}
