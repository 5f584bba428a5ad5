using EventSsm.Model.Ssm;

namespace EventSsm.Workflows.Examples;

/// <summary>Settings of <see cref="BurstClassificationTrainer"/>; the defaults train in about a minute on 2 CPU cores.</summary>
public sealed record BurstTrainingOptions
{
    /// <summary>Optimisation steps.</summary>
    public int Steps { get; init; } = 150;

    /// <summary>Sequences per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Events per sequence.</summary>
    public int Length { get; init; } = 64;

    /// <summary>Channels of the S5 blocks.</summary>
    public int Width { get; init; } = 32;

    /// <summary>S5 state size P.</summary>
    public int StateWidth { get; init; } = 32;

    /// <summary>Number of S5 blocks.</summary>
    public int Depth { get; init; } = 2;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>Sequences in the held-out test set.</summary>
    public int TestSize { get; init; } = 512;

    /// <summary>Seed of the data and the initialisation.</summary>
    public int Seed { get; init; } = 0;

    /// <summary>Control run: feed Δt = 1 for every event, hiding the only class information.</summary>
    public bool IgnoreTiming { get; init; }

    /// <summary>The S5 block variant (the original's GEGLU block or a plain residual one).</summary>
    public S5BlockVariant Variant { get; init; } = S5BlockVariant.Geglu;
}
