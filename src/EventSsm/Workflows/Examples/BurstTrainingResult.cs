namespace EventSsm.Workflows.Examples;

/// <param name="TestAccuracy">Accuracy on a held-out set drawn once with a separate seed (chance = 1/3).</param>
/// <param name="FinalLoss">Mean training cross-entropy over the last 20 steps.</param>
/// <param name="InitialTestAccuracy">Test accuracy before training.</param>
/// <param name="Steps">Steps trained.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
public sealed record BurstTrainingResult(double TestAccuracy, double InitialTestAccuracy, double FinalLoss, int Steps, TimeSpan Elapsed);
