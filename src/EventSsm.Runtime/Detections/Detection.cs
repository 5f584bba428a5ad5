namespace EventSsm.Detections;

/// <summary>
/// One post-processed detection: a row (x1, y1, x2, y2, obj_conf, class_conf, class_pred) of the original's
/// <c>postprocess</c>, in padded-input pixels, not clipped (docs/MODEL.md §6.3).
/// </summary>
public readonly record struct Detection(float X1, float Y1, float X2, float Y2, float ObjConf, float ClassConf, int ClassId)
{
    /// <summary>The NMS / threshold score obj_conf · class_conf (float32, as the original).</summary>
    public float Score => ObjConf * ClassConf;
}
