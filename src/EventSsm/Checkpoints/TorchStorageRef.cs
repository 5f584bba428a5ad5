using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// A storage named by a persistent id <c>('storage', torch.FloatStorage, key, location, numel)</c>; its bytes are
/// the archive entry <c>&lt;archive&gt;/data/&lt;key&gt;</c>.
/// </summary>
public sealed record TorchStorageRef(string Key, ScalarType DType, int ElementSize, string Location, long Numel);
