namespace EventSsm.Checkpoints;

/// <summary>
/// A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided view into a storage. It is turned into
/// a TorchSharp tensor only on demand (<see cref="TorchCheckpoint.ToTensor"/>), so optimizer state and other
/// unneeded tensors cost nothing.
/// </summary>
public sealed record TorchTensorRecord(
    TorchStorageRef Storage,
    long StorageOffset,
    long[] Shape,
    long[] Stride,
    bool RequiresGrad,
    bool IsParameter)
{
    /// <summary>Number of elements of the tensor (product of the shape).</summary>
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);
}
