using EventSsm.Events;
using EventSsm.Synthetic;

namespace EventSsm.Tests.Synthetic;

public sealed class EventCameraTests
{
    private static readonly EventCameraOptions s_ideal = new()
    {
        ContrastSigma = 0, RefractoryUs = 0, NoiseRateHz = 0, HotPixels = 0, LogEps = 1e-6f,
    };

    [Fact]
    public void LogRampAcrossSeveralThresholds_EmitsOneEventPerThresholdAtInterpolatedTimes()
    {
        var cam = new EventCamera(1, 1, s_ideal, 1);
        cam.Reset([0.1f], 0);
        cam.BeginStep(1000);
        cam.Update(0, 0.1f * MathF.Exp(1.05f)); // +1.05 in log: five 0.2 thresholds
        cam.EndStep();
        EventArray ev = cam.Finish();
        Assert.Equal(5, ev.Count);
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(1, ev.P[k]);
            // Crossing k+1 happens (k+1)·0.2/1.05 of the way through the step.
            Assert.InRange(ev.T[k], (long)((k + 1) * 0.2 / 1.05 * 1000) - 1, (long)((k + 1) * 0.2 / 1.05 * 1000) + 2);
        }
    }

    [Fact]
    public void Decrease_EmitsOffEvents_AndSmallChangesNone()
    {
        var cam = new EventCamera(2, 1, s_ideal, 1);
        cam.Reset([0.5f, 0.5f], 0);
        cam.BeginStep(1000);
        cam.Update(0, 0.5f * MathF.Exp(-0.45f));
        cam.Update(1, 0.5f * MathF.Exp(0.15f));
        cam.EndStep();
        EventArray ev = cam.Finish();
        Assert.Equal(2, ev.Count);
        Assert.All(Enumerable.Range(0, 2), i => Assert.Equal((0, 0), ((int)ev.X[i], (int)ev.P[i])));
    }

    [Fact]
    public void RefractoryPeriod_DelaysFurtherCrossingsToLaterSteps()
    {
        var cam = new EventCamera(1, 1, s_ideal with { RefractoryUs = 1000 }, 1);
        cam.Reset([0.1f], 0);
        cam.BeginStep(1000);
        cam.Update(0, 0.1f * MathF.Exp(0.65f)); // three crossings in one step
        cam.EndStep();
        for (long t = 2000; t <= 4000; t += 1000)
        {
            cam.BeginStep(t);
            cam.EndStep(); // the pixel is not updated again: held-back crossings still fire
        }
        EventArray ev = cam.Finish();
        Assert.Equal(3, ev.Count);
        Assert.True(ev.T[1] - ev.T[0] >= 1000 && ev.T[2] - ev.T[1] >= 1000);
    }

    [Fact]
    public void NoiseRate_MatchesTheOption()
    {
        var cam = new EventCamera(100, 100, s_ideal with { NoiseRateHz = 2 }, 9);
        var frame = new float[100 * 100];
        Array.Fill(frame, 0.5f);
        cam.Reset(frame, 0);
        for (long t = 100_000; t <= 1_000_000; t += 100_000)
        {
            cam.BeginStep(t);
            cam.UpdateFrame(frame);
            cam.EndStep();
        }
        EventArray ev = cam.Finish();
        // Poisson with mean 20000: ±5σ ≈ ±707.
        Assert.InRange(ev.Count, 19_300, 20_700);
        for (int i = 1; i < ev.Count; i++)
        {
            Assert.True(ev.T[i] >= ev.T[i - 1]);
        }
    }
}
