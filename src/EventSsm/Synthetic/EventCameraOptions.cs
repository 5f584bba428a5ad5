namespace EventSsm.Synthetic;

/// <summary>
/// Parameters of the event-camera model (<see cref="EventCamera"/>), in the spirit of ESIM / v2e. Each pixel keeps a
/// reference log intensity; when the current log intensity moves a contrast threshold away from it, the pixel fires
/// an ON (up) or OFF (down) event and the reference moves by one threshold.
/// </summary>
public sealed record EventCameraOptions
{
    /// <summary>Mean ON contrast threshold in natural-log intensity units.</summary>
    public float ContrastOn { get; init; } = 0.2f;

    /// <summary>Mean OFF contrast threshold in natural-log intensity units.</summary>
    public float ContrastOff { get; init; } = 0.2f;

    /// <summary>Standard deviation of the per-pixel threshold mismatch (drawn once per pixel, ON and OFF apart).</summary>
    public float ContrastSigma { get; init; } = 0.03f;

    /// <summary>Lower bound on any pixel's threshold, so a large mismatch cannot make a pixel fire on noise.</summary>
    public float MinContrast { get; init; } = 0.05f;

    /// <summary>
    /// After an event a pixel is blind for this long. A crossing inside that time is not lost: it fires when the
    /// period ends (the reference does not move meanwhile), as in v2e.
    /// </summary>
    public long RefractoryUs { get; init; } = 1000;

    /// <summary>Intensities are in [0, 1]; log(I + LogEps) keeps black pixels finite and damps their noise.</summary>
    public float LogEps { get; init; } = 0.01f;

    /// <summary>Background-activity (shot) noise: events per pixel per second, random polarity, uniform in time.</summary>
    public double NoiseRateHz { get; init; } = 0.1;

    /// <summary>Number of hot pixels (random positions) that fire at <see cref="HotPixelRateHz"/>.</summary>
    public int HotPixels { get; init; } = 3;

    /// <summary>Event rate of each hot pixel, random polarity.</summary>
    public double HotPixelRateHz { get; init; } = 50;

    /// <summary>Throws <see cref="ArgumentException"/> for non-positive thresholds or negative noise rates.</summary>
    public void Validate()
    {
        if (!(ContrastOn > 0) || !(ContrastOff > 0) || !(MinContrast > 0) || ContrastSigma < 0)
        {
            throw new ArgumentException($"contrast thresholds must be positive (on {ContrastOn}, off {ContrastOff}, min {MinContrast}, sigma {ContrastSigma})");
        }
        if (RefractoryUs < 0 || !(LogEps > 0) || NoiseRateHz < 0 || HotPixels < 0 || HotPixelRateHz < 0)
        {
            throw new ArgumentException("refractory period, noise rates and hot pixel count must be ≥ 0 and LogEps > 0");
        }
    }
}
