using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// The preprocessing label filters of the original (docs/DATA.md §2.1), in its order and in float32, with a dataset's
/// settings (docs/DATA.md §8.3): the class map (gen4: keep pedestrian, two-wheeler, car), crop to the field of view,
/// size filter, and (train only) the faulty-huge-box filter.
/// </summary>
public static class LabelFilter
{
    /// <param name="fileName">Names the label file in the error for a class id the dataset does not know.</param>
    public static BoundingBox[] Apply(ReadOnlySpan<BoundingBox> boxes, DatasetDescription dataset, bool isTrainSplit, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        (int width, int height) = dataset.Sensor;
        LabelFilterRule rule = dataset.LabelFilter;
        long? maxWidth = isTrainSplit ? rule.MaxTrainWidth(width) : null;
        BoundingBox[] mapped = dataset.Classes.Apply(boxes, fileName);
        var kept = new List<BoundingBox>(mapped.Length);
        foreach (BoundingBox b0 in mapped)
        {
            BoundingBox b = b0;
            if (rule.CropToSensor)
            {
                if (CropToFov(b0, width, height) is not BoundingBox cropped)
                {
                    continue;
                }
                b = cropped;
            }
            if (!PassesSizeFilter(b, rule))
            {
                continue;
            }
            // remove_faulty_huge_bbox_filter: w <= (9*W)//10, train split only.
            if (maxWidth is long limit && b.W > limit)
            {
                continue;
            }
            kept.Add(b);
        }
        return kept.ToArray();
    }

    /// <summary>crop_to_fov_filter: clip corners to [0, W−1]×[0, H−1] in float32; null when the box becomes flat.</summary>
    public static BoundingBox? CropToFov(BoundingBox b, int width, int height)
    {
        float x0 = Math.Clamp(b.X, 0f, width - 1);
        float y0 = Math.Clamp(b.Y, 0f, height - 1);
        float x1 = Math.Clamp(b.X + b.W, 0f, width - 1);
        float y1 = Math.Clamp(b.Y + b.H, 0f, height - 1);
        float w = x1 - x0;
        float h = y1 - y0;
        if (!(w > 0f) || !(h > 0f))
        {
            return null;
        }
        return b with { X = x0, Y = y0, W = w, H = h };
    }

    /// <summary>
    /// gen1 uses the Prophesee filter (diag² ≥ 30², sides ≥ 10, float32); gen4's preprocessing uses the
    /// "conservative" filter (sides ≥ 5) because filter_gen4.yaml disables the Prophesee one.
    /// </summary>
    public static bool PassesSizeFilter(BoundingBox b, LabelFilterRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.MinDiag > 0)
        {
            float diag2 = (b.W * b.W) + (b.H * b.H);
            if (!(diag2 >= (float)(rule.MinDiag * rule.MinDiag)))
            {
                return false;
            }
        }
        return b.W >= (float)rule.MinSide && b.H >= (float)rule.MinSide;
    }
}
