namespace EventSsm.Detections;

/// <summary>
/// YOLOX <c>postprocess</c> (docs/MODEL.md §6.3) on decoded head predictions in managed memory, the one postprocess
/// every backend (TorchSharp, ONNX Runtime) uses: xyxy conversion, class_conf/class_pred = first max over the class
/// scores, keep obj·class_conf ≥ threshold (compared in float32, as the original), class-aware NMS
/// (<see cref="Nms.Batched"/>) scored by obj·class_conf, no top-k cap.
/// </summary>
public static class Postprocess
{
    public const double DefaultConfidenceThreshold = 0.1;
    public const double DefaultNmsThreshold = 0.45;

    /// <param name="head">Predictions (frames, anchors, width) row-major: [cx, cy, w, h, obj, cls…], width = 5 + classes.</param>
    /// <returns>Per frame, the detections in descending score order (empty when none survive).</returns>
    public static IReadOnlyList<Detection>[] Run(ReadOnlySpan<float> head, int frames, int anchors, int width,
        double confidenceThreshold = DefaultConfidenceThreshold, double nmsThreshold = DefaultNmsThreshold)
    {
        if (width < 6 || frames < 0 || anchors < 0 || head.Length != (long)frames * anchors * width)
        {
            throw new ArgumentException(
                $"expected head outputs of shape (frames, anchors, 5 + num_classes) = ({frames}, {anchors}, {width}), got {head.Length} values");
        }
        float confThr = (float)confidenceThreshold;
        var result = new IReadOnlyList<Detection>[frames];
        var candidates = new List<Detection>();
        for (int f = 0; f < frames; f++)
        {
            candidates.Clear();
            for (int a = 0; a < anchors; a++)
            {
                ReadOnlySpan<float> row = head.Slice((f * anchors + a) * width, width);
                // torch.max over the classes: the first maximum wins.
                int cls = 0;
                for (int c = 1; c < width - 5; c++)
                {
                    if (row[5 + c] > row[5 + cls])
                    {
                        cls = c;
                    }
                }
                var d = new Detection(row[0] - row[2] / 2, row[1] - row[3] / 2, row[0] + row[2] / 2, row[1] + row[3] / 2, row[4], row[5 + cls], cls);
                if (d.Score >= confThr)
                {
                    candidates.Add(d);
                }
            }
            result[f] = Suppress(candidates, nmsThreshold);
        }
        return result;
    }

    private static Detection[] Suppress(List<Detection> candidates, double nmsThreshold)
    {
        var boxes = new float[4 * candidates.Count];
        var scores = new float[candidates.Count];
        var classes = new int[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            Detection d = candidates[i];
            (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]) = (d.X1, d.Y1, d.X2, d.Y2);
            scores[i] = d.Score;
            classes[i] = d.ClassId;
        }
        return [.. Nms.Batched(boxes, scores, classes, nmsThreshold).Select(i => candidates[i])];
    }
}
