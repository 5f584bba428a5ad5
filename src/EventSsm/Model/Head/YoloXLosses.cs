using static TorchSharp.torch;

namespace EventSsm.Model.Head;

/// <summary>
/// Loss terms of one YOLOX step, with the original's key names in brackets: <see cref="Total"/> [loss] =
/// Iou + Conf + Cls + L1; <see cref="Iou"/> [iou_loss] already includes the weight 5; <see cref="Conf"/>
/// [conf_loss]; <see cref="Cls"/> [cls_loss]; <see cref="L1"/> [l1_loss] is always 0 (use_l1 is False);
/// <see cref="NumFg"/> [num_fg] = (#foreground anchors)/(#boxes), as the original reports it.
/// <see cref="Assignments"/> holds the SimOTA result per frame.
/// </summary>
public sealed record YoloXLosses(Tensor Total, Tensor Iou, Tensor Conf, Tensor Cls, double L1, double NumFg, IReadOnlyList<SimOtaAssignment> Assignments);
