namespace EventSsm.Training;

/// <summary>
/// PyTorch 1.13's <c>OneCycleLR</c> with <c>anneal_strategy="linear"</c>, <c>three_phase=False</c> and no momentum
/// cycling, as the original configures it (docs/MODEL.md §8): the lr rises linearly from max/div to max over the
/// first pct_start·total steps, then falls linearly to max/(div·final_div) at step total−1. A pure function of the
/// step, so resuming needs only the step number.
/// </summary>
public sealed class OneCycleSchedule
{
    public OneCycleSchedule(double maxLr, long totalSteps, double pctStart = 0.005, double divFactor = 20, double finalDivFactor = 500)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLr);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 2);
        if (pctStart is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pctStart), "pct_start must be in (0, 1)");
        }
        MaxLr = maxLr;
        TotalSteps = totalSteps;
        InitialLr = maxLr / divFactor;
        MinLr = InitialLr / finalDivFactor;
        WarmupEndStep = (pctStart * totalSteps) - 1;
    }

    public double MaxLr { get; }

    public double InitialLr { get; }

    public double MinLr { get; }

    public long TotalSteps { get; }

    /// <summary>float(pct_start · total_steps) − 1, the last warm-up step (fractional as in PyTorch).</summary>
    public double WarmupEndStep { get; }

    /// <summary>The learning rate used for optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRate(long step)
    {
        if (step < 0 || step > TotalSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(step), $"step {step} is outside the schedule's {TotalSteps} steps");
        }
        if (step <= WarmupEndStep)
        {
            // pct_start·total = 1 puts the warm-up's end at step 0: PyTorch divides 0 by 0 there (ZeroDivisionError
            // in Python, NaN in C#, and a NaN lr turns every weight NaN in one AdamW step). Step 0 is then the end of
            // the warm-up, so it gets the max lr, as step == end does for any longer warm-up (docs/MODEL.md §8).
            double pct = WarmupEndStep > 0 ? step / WarmupEndStep : 1.0;
            return ((MaxLr - InitialLr) * pct) + InitialLr;
        }
        double pct2 = (step - WarmupEndStep) / (TotalSteps - 1 - WarmupEndStep);
        return ((MinLr - MaxLr) * pct2) + MaxLr;
    }
}
