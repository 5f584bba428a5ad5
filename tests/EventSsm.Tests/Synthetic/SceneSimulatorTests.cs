using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Synthetic;

namespace EventSsm.Tests.Synthetic;

public sealed class SceneSimulatorTests
{
    private static readonly SceneOptions s_short = new() { DurationUs = 1_500_000, Seed = 7 };

    private static readonly EventCameraOptions s_noiseless = new() { NoiseRateHz = 0, HotPixels = 0 };

    [Fact]
    public void Generate_SameSeed_GivesIdenticalEventsAndLabels()
    {
        SyntheticSequence a = SceneSimulator.Generate(s_short);
        SyntheticSequence b = SceneSimulator.Generate(s_short);
        Assert.True(a.Events.Count > 10_000, $"only {a.Events.Count} events");
        Assert.Equal(a.Events.Count, b.Events.Count);
        Assert.True(a.Events.X.AsSpan(0, a.Events.Count).SequenceEqual(b.Events.X.AsSpan(0, b.Events.Count)));
        Assert.True(a.Events.Y.AsSpan(0, a.Events.Count).SequenceEqual(b.Events.Y.AsSpan(0, b.Events.Count)));
        Assert.True(a.Events.P.AsSpan(0, a.Events.Count).SequenceEqual(b.Events.P.AsSpan(0, b.Events.Count)));
        Assert.True(a.Events.T.AsSpan(0, a.Events.Count).SequenceEqual(b.Events.T.AsSpan(0, b.Events.Count)));
        Assert.Equal(a.Labels, b.Labels);
    }

    [Fact]
    public void Generate_DifferentSeed_Differs()
    {
        SyntheticSequence a = SceneSimulator.Generate(s_short);
        SyntheticSequence b = SceneSimulator.Generate(s_short with { Seed = 8 });
        bool sameEvents = a.Events.Count == b.Events.Count
            && a.Events.T.AsSpan(0, a.Events.Count).SequenceEqual(b.Events.T.AsSpan(0, b.Events.Count));
        Assert.False(sameEvents);
        Assert.NotEqual(a.Labels, b.Labels);
    }

    [Fact]
    public void Events_AreInsideTheSensorAndTimeSorted()
    {
        SceneOptions o = s_short with { Width = 200, Height = 150, Seed = 3 };
        EventArray ev = SceneSimulator.Generate(o).Events;
        Assert.Equal(200, ev.Width);
        Assert.Equal(150, ev.Height);
        Assert.True(ev.Count > 1000);
        for (int i = 0; i < ev.Count; i++)
        {
            Assert.InRange(ev.X[i], 0, 199);
            Assert.InRange(ev.Y[i], 0, 149);
            Assert.InRange(ev.P[i], 0, 1);
            Assert.InRange(ev.T[i], 1, o.DurationUs);
            if (i > 0)
            {
                Assert.True(ev.T[i] >= ev.T[i - 1], $"event {i} at {ev.T[i]} µs is before event {i - 1} at {ev.T[i - 1]} µs");
            }
        }
        Assert.Contains((byte)0, ev.P.AsSpan(0, ev.Count).ToArray());
        Assert.Contains((byte)1, ev.P.AsSpan(0, ev.Count).ToArray());
    }

    [Fact]
    public void SingleCarOnPlainBackground_EventsLieInsideItsBox()
    {
        var o = new SceneOptions
        {
            DurationUs = 1_000_000,
            Seed = 11,
            Background = BackgroundKind.Plain,
            InitialCars = 1,
            InitialPedestrians = 0,
            CarsPerSecond = 0,
            PedestriansPerSecond = 0,
            MinVisibleFraction = 0,
            Camera = s_noiseless,
        };
        SyntheticSequence seq = SceneSimulator.Generate(o);
        Dictionary<long, BoundingBox> byTime = seq.Labels.ToDictionary(b => b.T);
        Assert.All(seq.Labels, b => Assert.Equal(SceneSimulator.CarClass, b.ClassId));
        EventArray ev = seq.Events;
        int counted = 0;
        int inside = 0;
        const float margin = 8; // the car moves ≤ 6.25 px in the 25 ms to the nearest label
        for (int i = 0; i < ev.Count; i++)
        {
            long nearest = Math.Max(50_000, (ev.T[i] + 25_000) / 50_000 * 50_000);
            if (!byTime.TryGetValue(nearest, out BoundingBox b) || b.W < 30)
            {
                continue;
            }
            counted++;
            float x = ev.X[i] + 0.5f;
            float y = ev.Y[i] + 0.5f;
            if (x >= b.X - margin && x <= b.X + b.W + margin && y >= b.Y - margin && y <= b.Y + b.H + margin)
            {
                inside++;
            }
        }
        Assert.True(counted > 2000, $"only {counted} events near a labelled car");
        Assert.True(inside >= 0.8 * counted, $"{inside} of {counted} events inside the dilated box");
    }

    [Fact]
    public void Labels_AreClippedToTheSensorAndHaveClassShapes()
    {
        SyntheticSequence seq = SceneSimulator.Generate(new SceneOptions { DurationUs = 4_000_000, Seed = 5, Camera = s_noiseless });
        Assert.NotEmpty(seq.Labels);
        Assert.Contains(seq.Labels, b => b.ClassId == SceneSimulator.CarClass);
        Assert.Contains(seq.Labels, b => b.ClassId == SceneSimulator.PedestrianClass);
        bool clippedSeen = false;
        foreach (BoundingBox b in seq.Labels)
        {
            Assert.True(b.X >= 0 && b.Y >= 0 && b.W > 0 && b.H > 0, $"{b}");
            Assert.True(b.X + b.W <= 304 && b.Y + b.H <= 240, $"{b} leaves the sensor");
            Assert.Equal(1f, b.ClassConfidence);
            if (b.ClassId == SceneSimulator.CarClass)
            {
                Assert.InRange(b.W, 1f, 110f);
                Assert.InRange(b.H, 1f, 50f);
            }
            else
            {
                Assert.InRange(b.W, 1f, 25f);
                Assert.InRange(b.H, 1f, 70f);
            }
            clippedSeen |= b.X == 0 || b.X + b.W == 304;
        }
        Assert.True(clippedSeen, "no box touches the left or right edge in 4 s of traffic");
        for (int i = 1; i < seq.Labels.Length; i++)
        {
            Assert.True(seq.Labels[i].T >= seq.Labels[i - 1].T);
        }
    }

    [Fact]
    public void Labels_SurviveGen1FiltersAndFrameSelection()
    {
        SyntheticSequence seq = SceneSimulator.Generate(new SceneOptions { DurationUs = 5_000_000, Seed = 2, Camera = s_noiseless });
        long[] times = seq.Labels.Select(b => b.T).Distinct().ToArray();
        Assert.All(times, t => Assert.Equal(0, t % 50_000));
        Assert.True(times[0] >= 50_000);
        BoundingBox[] kept = Gen1PreprocessingRules.FilterLabels(seq.Labels, 304, 240);
        long[] frames = Gen1PreprocessingRules.SelectFrames(kept.Select(b => b.T).Distinct().Order().ToArray());
        // Frames every 250 ms from the first at ≥ 100 ms; at most a few dropped where nothing was visible.
        Assert.True(frames.Length >= 16, $"only {frames.Length} label frames selected in 5 s");
        for (int i = 1; i < frames.Length; i++)
        {
            Assert.Equal(0, (frames[i] - frames[0]) % 250_000);
            Assert.True(frames[i] - frames[i - 1] > 98_000);
        }
    }

    [Fact]
    public void LabelTimes_FollowTheConfiguredRate()
    {
        SyntheticSequence seq = SceneSimulator.Generate(new SceneOptions { DurationUs = 1_000_000, Seed = 4, LabelHz = 10, Camera = s_noiseless });
        Assert.All(seq.Labels, b => Assert.Equal(0, b.T % 100_000));
    }
}
