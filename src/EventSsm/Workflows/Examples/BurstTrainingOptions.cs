using EventSsm.Model.Ssm;

namespace EventSsm.Workflows.Examples;

/// <summary>Settings of <see cref="BurstClassificationTrainer"/>; the defaults train in about a minute on 2 CPU cores.</summary>
public sealed record BurstTrainingOptions
{
    public int Steps { get; init; } = 150;

    public int BatchSize { get; init; } = 32;

    /// <summary>Events per sequence.</summary>
    public int Length { get; init; } = 64;

    public int Width { get; init; } = 32;

    public int StateWidth { get; init; } = 32;

    public int Depth { get; init; } = 2;

    public double LearningRate { get; init; } = 3e-3;

    public int TestSize { get; init; } = 512;

    public int Seed { get; init; } = 0;

    /// <summary>Control run: feed Δt = 1 for every event, hiding the only class information.</summary>
    public bool IgnoreTiming { get; init; }

    public S5BlockVariant Variant { get; init; } = S5BlockVariant.Geglu;
}
