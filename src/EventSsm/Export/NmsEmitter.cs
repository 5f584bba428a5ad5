using EventSsm.Onnx;

namespace EventSsm.Export;

/// <summary>
/// The end of an <c>--nms</c> graph: YOLOX's postprocess (docs/MODEL.md §6.3: xyxy, class = first max over the class
/// scores, keep obj·cls_conf ≥ threshold, class-aware NMS) with ONNX NonMaxSuppression, then Prophesee box rows
/// (<see cref="OnnxContract.BoxesOutput"/>).
/// </summary>
internal static class NmsEmitter
{
    /// <param name="head">Decoded predictions (F, A, 5 + classes).</param>
    /// <param name="boxScale">Model-input pixels → sensor pixels (2 for a downsampled gen4 input).</param>
    public static string Boxes(OnnxEmitContext ctx, string head, long anchors, int numClasses, double confidenceThreshold,
        double nmsThreshold, float boxScale)
    {
        using IDisposable scope = ctx.Graph.Scope("postprocess");
        string[] parts = ctx.Split(head, 2, 2, 2, 1, numClasses);
        string half = ctx.Mul(parts[1], ctx.Graph.Scalar("half", 0.5f));
        string corners = ctx.Concat(2, ctx.Node("Sub", [parts[0], half]), ctx.Add(parts[0], half));   // (F, A, 4) xyxy
        string classConf = ctx.Node("ReduceMax", [parts[3]], OnnxAttribute.Of("axes", new long[] { 2 }), OnnxAttribute.Of("keepdims", 1L));
        // ArgMax keeps the first maximum, as torch.max over the classes.
        string classId = ctx.Node("ArgMax", [parts[3]], OnnxAttribute.Of("axis", 2L), OnnxAttribute.Of("keepdims", 1L),
            OnnxAttribute.Of("select_last_index", 0L));
        string score = ctx.Mul(parts[2], classConf);                                                   // (F, A, 1)
        // Per class, the score of the anchors whose class it is and that pass the threshold, −1 elsewhere (so that a
        // score threshold of −0.5 drops exactly those, whether NonMaxSuppression compares with > or ≥).
        string classes = ctx.Graph.Int64s([.. Enumerable.Range(0, numClasses).Select(c => (long)c)]);
        string own = ctx.Node("Equal", [classId, classes]);                                             // (F, A, nc)
        string kept = ctx.Node("And", [own, ctx.Node("GreaterOrEqual", [score, ctx.Graph.Scalar("confidence_threshold", (float)confidenceThreshold)])]);
        string masked = ctx.Node("Where", [kept, score, ctx.Graph.Scalar("minus_one", -1f)]);
        string perClass = ctx.Transpose(masked, 0, 2, 1);                                               // (F, nc, A)
        string selected = ctx.Node("NonMaxSuppression",
            [corners, perClass, ctx.Graph.Int64s(anchors), ctx.Graph.Scalar("iou_threshold", (float)nmsThreshold),
             ctx.Graph.Scalar("score_threshold", -0.5f)]);                                              // (K, 3) [f, c, a]
        string[] fca = ctx.Split(selected, 1, 1, 1, 1);
        string frameAnchor = ctx.Concat(1, fca[0], fca[2]);
        string boxes = ctx.Node("GatherND", [corners, frameAnchor]);                                    // (K, 4)
        string scores = ctx.Node("GatherND", [perClass, selected]);                                     // (K)
        string conf = ctx.Node("GatherND", [classConf, frameAnchor]);                                   // (K, 1)
        // Frame first, then descending score: key = score − 2·frame (scores lie in [0, 1]).
        string frame = ctx.Node("Cast", [fca[0]], OnnxAttribute.Of("to", 1L));                          // (K, 1) float
        string key = ctx.Node("Sub", [scores, ctx.Mul(ctx.Reshape(frame, -1), ctx.Graph.Scalar("two", 2f))]);
        string order = ctx.Graph.Node("TopK", [key, ctx.Node("Shape", [key])], 2,
            OnnxAttribute.Of("axis", 0L), OnnxAttribute.Of("largest", 1L), OnnxAttribute.Of("sorted", 1L))[1];
        string[] xyxy = ctx.Split(boxes, 1, 1, 1, 1, 1);
        string scale = ctx.Graph.Scalar("box_scale", boxScale);
        string rows = ctx.Concat(1,
            frame,
            ctx.Mul(xyxy[0], scale),
            ctx.Mul(xyxy[1], scale),
            ctx.Mul(ctx.Node("Sub", [xyxy[2], xyxy[0]]), scale),
            ctx.Mul(ctx.Node("Sub", [xyxy[3], xyxy[1]]), scale),
            ctx.Node("Cast", [fca[1]], OnnxAttribute.Of("to", 1L)),
            conf);
        return ctx.Node("Gather", [rows, order], OnnxAttribute.Of("axis", 0L));
    }
}
