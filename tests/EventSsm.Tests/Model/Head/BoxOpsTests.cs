using EventSsm.Tests.Detections;
using EventSsm.Model;
using FsCheck.Xunit;
using TorchSharp;
using EventSsm.Model.Head;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Head;

public sealed class BoxOpsTests
{
    [Fact]
    public void PairwiseIouXyxy_KnownOverlaps()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor a = tensor(new float[] { 0, 0, 2, 2 }, 1, 4);
        Tensor b = tensor(new float[] { 0, 0, 2, 2, 1, 0, 3, 2, 2, 0, 4, 2, 5, 5, 6, 6 }, 4, 4);
        // identical; half overlap (2 / 6); touching edges; disjoint
        float[] iou = BoxOps.PairwiseIouXyxy(a, b).data<float>().ToArray();
        Assert.Equal(new[] { 1f, 2f / 6f, 0f, 0f }, iou);
    }

    [Property]
    public bool PairwiseIou_IsSymmetricAndInUnitInterval(byte[] raw)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor boxes = tensor(NmsTests.ToBoxes(raw, out _));
        if (boxes.shape[0] == 0)
        {
            return true;
        }
        Tensor cxcywh = stack([boxes[.., 0].add(boxes[.., 2], Scalars.One).div(Scalars.Of(2)), boxes[.., 1].add(boxes[.., 3], Scalars.One).div(Scalars.Of(2)),
            boxes[.., 2] - boxes[.., 0], boxes[.., 3] - boxes[.., 1]], 1);
        Tensor iou = BoxOps.PairwiseIouXyxy(boxes, boxes);
        Tensor iouC = BoxOps.PairwiseIouCxcywh(cxcywh, cxcywh);
        return iou.allclose(iou.t()) && iou.ge(Scalars.Of(0)).all().item<bool>() && iou.le(Scalars.Of(1 + 1e-6)).all().item<bool>()
            && iou.allclose(iouC, rtol: 1e-5, atol: 1e-5);
    }

}
