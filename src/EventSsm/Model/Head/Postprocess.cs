using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Model.Head;

/// <summary>
/// YOLOX <c>postprocess</c> (docs/MODEL.md §6.3): xyxy conversion, class_conf/class_pred = max over the class
/// scores, keep obj·class_conf ≥ threshold, class-aware NMS scored by obj·class_conf, no top-k cap.
/// </summary>
public static class Postprocess
{
    public const double DefaultConfidenceThreshold = 0.1;
    public const double DefaultNmsThreshold = 0.45;

    /// <param name="decoded">Head output (N, A, 5 + nc): [cx, cy, w, h, sigmoid obj, sigmoid cls…].</param>
    /// <returns>Per frame, the detections in descending score order (empty when none survive).</returns>
    public static IReadOnlyList<Detection>[] Run(Tensor decoded, double confidenceThreshold = DefaultConfidenceThreshold, double nmsThreshold = DefaultNmsThreshold)
    {
        if (decoded.dim() != 3 || decoded.shape[2] < 6)
        {
            throw new ArgumentException($"Expected head outputs of shape (N, A, 5 + num_classes), got ({string.Join(", ", decoded.shape)}).", nameof(decoded));
        }
        int frames = (int)decoded.shape[0];
        int anchors = (int)decoded.shape[1];
        int width = (int)decoded.shape[2];
        float[] data;
        using (Tensor host = decoded.detach().to(float32).cpu().contiguous())
        {
            data = host.data<float>().ToArray();
        }
        // The original compares a float32 tensor with a Python float, i.e. in float32.
        float confThr = (float)confidenceThreshold;
        var result = new IReadOnlyList<Detection>[frames];
        for (int f = 0; f < frames; f++)
        {
            var candidates = new List<Detection>();
            for (int a = 0; a < anchors; a++)
            {
                ReadOnlySpan<float> row = data.AsSpan((f * anchors + a) * width, width);
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
            result[f] = Nms(candidates, nmsThreshold);
        }
        return result;
    }

    private static Detection[] Nms(List<Detection> candidates, double nmsThreshold)
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
        return BoxOps.BatchedNms(boxes, scores, classes, nmsThreshold).Select(i => candidates[i]).ToArray();
    }
}
