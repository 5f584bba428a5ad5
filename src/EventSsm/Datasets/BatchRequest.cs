namespace EventSsm.Datasets;

/// <summary>What <see cref="BatchReader.Read"/> is asked for: per-slot chunks (null = filler slot) and optional augmentation.</summary>
public sealed record BatchRequest(IReadOnlyList<StreamChunk?> Slots, IReadOnlyList<AugmentationParams?>? Augment = null);
