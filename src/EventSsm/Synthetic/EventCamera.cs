using EventSsm.Events;

namespace EventSsm.Synthetic;

/// <summary>
/// An event-camera model driven by intensity images in [0, 1] at successive times (ESIM / v2e style). Between two
/// updates the log intensity is assumed to change linearly, so each threshold crossing gets its own interpolated
/// timestamp and a change spanning several thresholds emits several events. Use: <see cref="Reset"/> with the first
/// image, then per step <see cref="BeginStep"/>, <see cref="Update"/> for every pixel that may have changed (or
/// <see cref="UpdateFrame"/>), <see cref="EndStep"/>; finally <see cref="Finish"/> adds the noise and returns the
/// time-sorted events.
/// </summary>
public sealed class EventCamera
{
    private readonly EventCameraOptions _options;
    private readonly float[] _ref;
    private readonly float[] _last;
    private readonly float[] _on;
    private readonly float[] _off;
    private readonly long[] _lastEvent;
    private readonly int[] _stamp;
    private readonly GrowableEventBuffer _output;
    private readonly GrowableEventBuffer _stepEvents = new(1024);
    private readonly SynthRandom _noiseRandom;
    private List<int> _pending = [];
    private List<int> _pendingNext = [];
    private long[] _sortKeys = new long[1024];
    private int[] _sortOrder = new int[1024];
    private int _step;
    private long _t0;
    private long _t1;
    private long _startUs = -1;
    private long _endUs;

    /// <summary>
    /// A camera of <paramref name="width"/>×<paramref name="height"/> pixels with per-pixel thresholds and noise drawn
    /// from <paramref name="seed"/>.
    /// </summary>
    public EventCamera(int width, int height, EventCameraOptions options, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width > 16384 || height > 16384)
        {
            throw new ArgumentException($"sensor {width}×{height} does not fit the 14-bit event coordinates");
        }
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Width = width;
        Height = height;
        _options = options;
        int n = width * height;
        _ref = new float[n];
        _last = new float[n];
        _on = new float[n];
        _off = new float[n];
        _lastEvent = new long[n];
        _stamp = new int[n];
        _output = new GrowableEventBuffer(1 << 16);
        var rng = SynthRandom.Derive(seed, 1);
        for (int i = 0; i < n; i++)
        {
            _on[i] = MathF.Max(options.MinContrast, options.ContrastOn + options.ContrastSigma * (float)rng.NextGaussian());
            _off[i] = MathF.Max(options.MinContrast, options.ContrastOff + options.ContrastSigma * (float)rng.NextGaussian());
        }
        _noiseRandom = SynthRandom.Derive(seed, 2);
    }

    /// <summary>Sensor width in pixels.</summary>
    public int Width { get; }

    /// <summary>Sensor height in pixels.</summary>
    public int Height { get; }

    /// <summary>Events emitted so far (before noise).</summary>
    public int SignalEventCount => _output.Count;

    /// <summary>Sets every pixel's reference to the image <paramref name="intensity"/> seen at time <paramref name="t"/>.</summary>
    public void Reset(ReadOnlySpan<float> intensity, long t)
    {
        if (intensity.Length != _ref.Length)
        {
            throw new ArgumentException($"image has {intensity.Length} pixels, the sensor {Width}×{Height}");
        }
        float eps = _options.LogEps;
        for (int i = 0; i < _ref.Length; i++)
        {
            float l = MathF.Log(intensity[i] + eps);
            _ref[i] = l;
            _last[i] = l;
        }
        Array.Fill(_lastEvent, long.MinValue / 2);
        _pending.Clear();
        _output.Clear();
        _startUs = t;
        _t1 = t;
        _endUs = t;
    }

    /// <summary>Starts the step from the previous update time to <paramref name="t1"/> (µs).</summary>
    public void BeginStep(long t1)
    {
        if (_startUs < 0)
        {
            throw new InvalidOperationException("call Reset with the first image before stepping");
        }
        if (t1 <= _t1)
        {
            throw new ArgumentException($"step end {t1} µs is not after the previous update at {_t1} µs");
        }
        _step++;
        _t0 = _t1;
        _t1 = t1;
        _stepEvents.Clear();
    }

    /// <summary>Whether pixel <paramref name="index"/> was already updated in this step.</summary>
    internal bool IsUpdated(int index) => _stamp[index] == _step;

    /// <summary>Pixel <paramref name="index"/> has intensity <paramref name="intensity"/> at the step end. Repeats in a step are ignored.</summary>
    public void Update(int index, float intensity)
    {
        if (_stamp[index] == _step)
        {
            return;
        }
        _stamp[index] = _step;
        Emit(index, MathF.Log(intensity + _options.LogEps));
    }

    /// <summary>Updates every pixel from a full image.</summary>
    public void UpdateFrame(ReadOnlySpan<float> intensity)
    {
        if (intensity.Length != _ref.Length)
        {
            throw new ArgumentException($"image has {intensity.Length} pixels, the sensor {Width}×{Height}");
        }
        for (int i = 0; i < intensity.Length; i++)
        {
            Update(i, intensity[i]);
        }
    }

    /// <summary>Fires crossings held back by the refractory period, then appends the step's events in time order.</summary>
    public void EndStep()
    {
        foreach (int p in _pending)
        {
            if (_stamp[p] != _step)
            {
                _stamp[p] = _step;
                Emit(p, _last[p]);
            }
        }
        (_pending, _pendingNext) = (_pendingNext, _pending);
        _pendingNext.Clear();
        int n = _stepEvents.Count;
        if (n > _sortKeys.Length)
        {
            _sortKeys = new long[Math.Max(n, _sortKeys.Length * 2)];
            _sortOrder = new int[_sortKeys.Length];
        }
        Span<long> keys = _sortKeys.AsSpan(0, n);
        Span<int> order = _sortOrder.AsSpan(0, n);
        long[] ts = _stepEvents.T;
        for (int i = 0; i < n; i++)
        {
            // Unique keys (time, then emission order) make the unstable sort deterministic and stable.
            keys[i] = ((ts[i] - _t0) << 32) | (uint)i;
            order[i] = i;
        }
        keys.Sort(order);
        _output.AddPermuted(_stepEvents, order);
        _endUs = _t1;
    }

    /// <summary>Adds background-activity and hot-pixel noise over the simulated time and returns all events sorted by time.</summary>
    public EventArray Finish()
    {
        GrowableEventBuffer noise = NoiseEvents();
        var merged = new GrowableEventBuffer(_output.Count + noise.Count);
        int i = 0;
        int j = 0;
        while (i < _output.Count || j < noise.Count)
        {
            bool takeSignal = j >= noise.Count || (i < _output.Count && _output.T[i] <= noise.T[j]);
            if (takeSignal)
            {
                merged.Add(_output.X[i], _output.Y[i], _output.P[i], _output.T[i]);
                i++;
            }
            else
            {
                merged.Add(noise.X[j], noise.Y[j], noise.P[j], noise.T[j]);
                j++;
            }
        }
        return merged.ToEventArray(0, merged.Count, Width, Height);
    }

    private void Emit(int p, float l)
    {
        float lOld = _last[p];
        _last[p] = l;
        float r = _ref[p];
        float on = _on[p];
        float off = _off[p];
        if (l - r < on && r - l < off)
        {
            return;
        }
        long dt = _t1 - _t0;
        long earliestAfter = _lastEvent[p] + _options.RefractoryUs;
        float span = l - lOld;
        ushort x = (ushort)(p % Width);
        ushort y = (ushort)(p / Width);
        bool pending = false;
        // One direction per update: up through r + on, r + 2·on, … or down through r − off, … (a − b = a + (−b) exactly).
        bool up = l - r >= on;
        float step = up ? on : -off;
        byte polarity = up ? (byte)1 : (byte)0;
        while (up ? l - r >= on : r - l >= off)
        {
            float level = r + step;
            long te = CrossingTime(level, lOld, span, dt);
            if (te < earliestAfter)
            {
                te = earliestAfter;
            }
            if (te > _t1)
            {
                pending = true;
                break;
            }
            _stepEvents.Add(x, y, polarity, te);
            earliestAfter = te + _options.RefractoryUs;
            _lastEvent[p] = te;
            r = level;
        }
        _ref[p] = r;
        if (pending)
        {
            _pendingNext.Add(p);
        }
    }

    /// <summary>Where the linear log-intensity ramp from lOld (at t0) reaches <paramref name="level"/>, in (t0, t1].</summary>
    private long CrossingTime(float level, float lOld, float span, long dt)
    {
        float frac = span != 0 ? (level - lOld) / span : 0f;
        frac = Math.Clamp(frac, 0f, 1f);
        long off = (long)MathF.Ceiling(frac * dt);
        return _t0 + Math.Clamp(off, 1, dt);
    }

    private GrowableEventBuffer NoiseEvents()
    {
        var noise = new GrowableEventBuffer(1024);
        long start = _startUs;
        long end = _endUs;
        double seconds = (end - start) / 1e6;
        if (seconds <= 0)
        {
            return noise;
        }
        SynthRandom rng = _noiseRandom;
        double totalRate = _options.NoiseRateHz * Width * Height;
        if (totalRate > 0)
        {
            for (double t = rng.NextExponential(totalRate); t < seconds; t += rng.NextExponential(totalRate))
            {
                noise.Add((ushort)rng.NextInt(Width), (ushort)rng.NextInt(Height), (byte)rng.NextInt(2), start + 1 + (long)(t * 1e6));
            }
        }
        if (_options.HotPixels > 0 && _options.HotPixelRateHz > 0)
        {
            var hot = new GrowableEventBuffer(1024);
            for (int k = 0; k < _options.HotPixels; k++)
            {
                ushort x = (ushort)rng.NextInt(Width);
                ushort y = (ushort)rng.NextInt(Height);
                for (double t = rng.NextExponential(_options.HotPixelRateHz); t < seconds; t += rng.NextExponential(_options.HotPixelRateHz))
                {
                    hot.Add(x, y, (byte)rng.NextInt(2), start + 1 + (long)(t * 1e6));
                }
            }
            noise = MergeSorted(noise, hot);
        }
        return noise;
    }

    private static GrowableEventBuffer MergeSorted(GrowableEventBuffer a, GrowableEventBuffer b)
    {
        // Hot-pixel streams are each sorted but interleave; one stable sort by time is simplest and deterministic.
        var all = new GrowableEventBuffer(a.Count + b.Count);
        a.CopyTo(0, a.Count, all);
        b.CopyTo(0, b.Count, all);
        var keys = new (long T, int I)[all.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = (all.T[i], i);
        }
        Array.Sort(keys);
        var order = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            order[i] = keys[i].I;
        }
        var sorted = new GrowableEventBuffer(all.Count);
        sorted.AddPermuted(all, order);
        return sorted;
    }
}
