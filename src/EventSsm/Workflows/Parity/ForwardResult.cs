using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Detections;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Parity;

/// <summary>
/// Outputs of one chunk: backbone features (L, B, Ci, hi, wi), new recurrent states (S5: (B, Pi, hi, wi) complex64; LSTM: (B, 2Ci, hi, wi) = [h | c]), decoded head
/// outputs (L·B, anchors, 5 + classes; frame t·B + b) and the post-processed detections per frame.
/// </summary>
public sealed record ForwardResult(Tensor[] Stages, Tensor[] States, Tensor Head, IReadOnlyList<Detection>[] Detections);
