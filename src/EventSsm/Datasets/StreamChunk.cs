namespace EventSsm.Datasets;

/// <summary>
/// L consecutive representation steps of one sequence, starting at <paramref name="Start"/>; the last
/// <paramref name="PaddedSteps"/> steps lie past the end of the data and are zero frames without labels.
/// </summary>
public sealed record StreamChunk(int Sequence, int Start, int Length, int PaddedSteps, bool IsFirstSample);
