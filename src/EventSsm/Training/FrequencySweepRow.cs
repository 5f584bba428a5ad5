namespace EventSsm.Training;

/// <summary>One evaluated rate of a frequency sweep (a line of sweep.csv).</summary>
public sealed record FrequencySweepRow(string Label, double Hz, double StepMs, double StepScale, string Mask, double AP, double AP50,
    double AP75, int LabelFrames);
