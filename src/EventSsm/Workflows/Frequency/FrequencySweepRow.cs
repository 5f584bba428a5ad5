using EventSsm.Datasets;
using EventSsm.Model.Ssm;

namespace EventSsm.Workflows.Frequency;

/// <summary>
/// One evaluated rate of a frequency sweep (a line of sweep.csv). WindowMs equals StepMs for true-rate data; StepScale
/// is NaN and Mask "n/a" for a model without S5 layers.
/// </summary>
public sealed record FrequencySweepRow(string Label, double Hz, double StepMs, double WindowMs, double StepScale, string Mask, double AP,
    double AP50, double AP75, int LabelFrames);
