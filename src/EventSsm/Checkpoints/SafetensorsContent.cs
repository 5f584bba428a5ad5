using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>What a safetensors file holds: named tensors and string metadata. The caller owns the tensors.</summary>
public sealed record SafetensorsContent(Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata);
