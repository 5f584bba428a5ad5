namespace EventSsm.Model.Head;

/// <summary>
/// SimOTA result for one frame: the foreground anchors (ascending anchor index, as the original's fg_mask),
/// the ground-truth row each is matched to, that box's class, and the IoU of the prediction with it (the class
/// target is onehot·IoU).
/// </summary>
public sealed record SimOtaAssignment(int[] AnchorIndices, int[] MatchedGt, int[] MatchedClasses, float[] Ious)
{
    public static SimOtaAssignment Empty { get; } = new([], [], [], []);

    public int NumForeground => AnchorIndices.Length;
}
