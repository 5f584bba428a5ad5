using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// The preprocessing label filters of the original (docs/DATA.md §2.1), in its order and in float32:
/// gen4 class filter, crop to the field of view, size filter, and (train only) the faulty-huge-box filter.
/// </summary>
public static class LabelFilter
{
    public static BoundingBox[] Apply(ReadOnlySpan<BoundingBox> boxes, DatasetKind kind, bool isTrainSplit)
    {
        (int width, int height) = DatasetInfo.SensorSize(kind);
        var kept = new List<BoundingBox>(boxes.Length);
        foreach (BoundingBox b0 in boxes)
        {
            // gen4: keep pedestrian, two-wheeler, car; ids are unchanged.
            if (kind == DatasetKind.Gen4 && b0.ClassId > 2)
            {
                continue;
            }
            BoundingBox? cropped = CropToFov(b0, width, height);
            if (cropped is not BoundingBox b)
            {
                continue;
            }
            if (!PassesSizeFilter(b, kind))
            {
                continue;
            }
            // remove_faulty_huge_bbox_filter: w <= (9*W)//10, train split only.
            if (isTrainSplit && b.W > 9 * width / 10)
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
    public static bool PassesSizeFilter(BoundingBox b, DatasetKind kind)
    {
        if (kind == DatasetKind.Gen1)
        {
            float diag2 = (b.W * b.W) + (b.H * b.H);
            return diag2 >= 30f * 30f && b.W >= 10f && b.H >= 10f;
        }
        return b.W >= 5f && b.H >= 5f;
    }
}
