using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// A box as the training and validation code sees it: seven float32 columns at model (possibly downsampled)
/// resolution, derived exactly as the original's <c>ObjectLabels</c> (docs/DATA.md §3.2).
/// </summary>
public readonly record struct ObjectLabel(float T, float X, float Y, float W, float H, float ClassId, float ClassConfidence)
{
    /// <summary>Recomputes a frame's boxes in float32: clamp to the sensor, then (gen4: downsampled) scale by 0.5.</summary>
    /// <remarks>
    /// The evaluation ground truth is exactly these values, not the stored w/h (docs/DATA.md §3.2). Boxes that become
    /// flat are dropped; the original asserts instead, which cannot trigger on preprocessed labels.
    /// </remarks>
    public static ObjectLabel[] FromBoxes(ReadOnlySpan<BoundingBox> boxes, SensorSize sensor, bool downsampleBy2)
    {
        (int width, int height) = sensor;
        var result = new List<ObjectLabel>(boxes.Length);
        foreach (BoundingBox b in boxes)
        {
            // t is cast to float32 too (loses precision above 2^24 µs; harmless, docs/DATA.md §3.2).
            float t = b.T;
            float x0 = Math.Clamp(b.X, 0f, width - 1);
            float x1 = Math.Clamp(b.X + b.W, 0f, width - 1);
            float y0 = Math.Clamp(b.Y, 0f, height - 1);
            float y1 = Math.Clamp(b.Y + b.H, 0f, height - 1);
            float x = x0;
            float y = y0;
            float w = x1 - x0;
            float h = y1 - y0;
            if (downsampleBy2)
            {
                float sx1 = Math.Min((x + w) * 0.5f, (width / 2) - 1);
                float sy1 = Math.Min((y + h) * 0.5f, (height / 2) - 1);
                x *= 0.5f;
                y *= 0.5f;
                w = sx1 - x;
                h = sy1 - y;
            }
            if (w > 0f && h > 0f)
            {
                result.Add(new ObjectLabel(t, x, y, w, h, b.ClassId, b.ClassConfidence));
            }
        }
        return result.ToArray();
    }

    /// <summary>The box as a Prophesee record at model resolution (what the evaluator receives as ground truth).</summary>
    public BoundingBox ToBoundingBox(long timeUs) =>
        new(timeUs, X, Y, W, H, (uint)ClassId, ClassConfidence);

    /// <summary>Horizontal flip about a frame of <paramref name="width"/> pixels: x' = W − 1 − x − w
    /// (docs/DATA.md §3.9, note the −1).</summary>
    public ObjectLabel FlipHorizontal(int width) => this with { X = width - 1 - X - W };
}
