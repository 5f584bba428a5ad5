using EventSsm.Datasets;

namespace EventSsm.Training;

/// <summary>
/// Where a validation run stands after a batch: batches done of the total, label frames evaluated so far and
/// representation steps fed to the backbone (padding excluded).
/// </summary>
public readonly record struct ValidationProgress(int Batch, int Batches, int LabelFrames, long Steps);
