using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Frequency;

/// <summary>Settings of <see cref="FrequencySweep"/>.</summary>
public sealed record FrequencySweepOptions
{
    /// <summary>Evaluation rates. Each must give a step 1e6/hz that is a whole number of µs (20, 40, 80 = 12.5 ms, 100, 200, … Hz).</summary>
    public required IReadOnlyList<double> Hz { get; init; }

    /// <summary>Where sweep.csv, sweep.md, sweep.png and (with <see cref="RawDirectory"/>) pre_&lt;hz&gt;hz/ go.</summary>
    public required string OutDirectory { get; init; }

    /// <summary>
    /// Raw dataset (split folders of .dat + bbox .npy): each rate is preprocessed into OutDirectory/pre_&lt;hz&gt;hz
    /// (resumed when already there). Null: <see cref="PreprocessedDirectory"/> holds every rate's representation.
    /// </summary>
    public string? RawDirectory { get; init; }

    /// <summary>A preprocessed folder holding <c>stacked_histogram_dt=&lt;step&gt;_nbins=10[_step=&lt;step&gt;]</c> for each rate.</summary>
    public string? PreprocessedDirectory { get; init; }

    /// <summary>
    /// Event window of every rate in ms; null: the step (window = stride, the paper's "smaller temporal windows").
    /// A fixed window (e.g. the 50 ms of training) slides one step at a time, so each input holds as many events as
    /// in training while the model still runs at the sweep rate.
    /// </summary>
    public double? WindowMs { get; init; }

    /// <summary>true: s = train_hz / hz; false: the config's step_scale (1 unless overridden) at every rate.</summary>
    public bool AutoStepScale { get; init; } = true;

    /// <summary>The mask mode to evaluate with; null keeps the config's.</summary>
    public S5MaskMode? Mask { get; init; }

    /// <summary>Name of this configuration in the CSV and the plot legend (no commas).</summary>
    public string Label { get; init; } = "s5";

    /// <summary>Keep the rows of other labels already in OutDirectory/sweep.csv (overlaying configurations).</summary>
    public bool Append { get; init; }

    /// <summary>Preprocessing workers (≤ 0: one per processor).</summary>
    public int PreprocessWorkers { get; init; }

    /// <summary>Where the model runs.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>The model's inference arithmetic (docs/MODEL.md §11.3).</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;
}
