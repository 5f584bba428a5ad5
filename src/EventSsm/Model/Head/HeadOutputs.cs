using static TorchSharp.torch;

namespace EventSsm.Model.Head;

/// <summary>
/// What <see cref="YoloXHead"/> returns. Both tensors are (N, A, 5 + num_classes) with boxes already decoded to
/// [cx, cy, w, h] in input pixels (docs/MODEL.md §6.2):
/// <see cref="Decoded"/> carries sigmoid(obj), sigmoid(cls) (the inference output, also returned in training as
/// the original does); <see cref="Raw"/> carries the obj/cls logits (the original's training output, input of the
/// loss).
/// </summary>
public sealed record HeadOutputs(Tensor Decoded, Tensor Raw, AnchorGrid Anchors);
