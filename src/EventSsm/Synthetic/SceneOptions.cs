namespace EventSsm.Synthetic;

/// <summary>What lies behind the moving objects.</summary>
public enum BackgroundKind
{
    /// <summary>Smooth multi-octave value noise (static), intensities about 0.25–0.75.</summary>
    Textured,

    /// <summary>A uniform grey at <see cref="SceneOptions.BackgroundLevel"/>.</summary>
    Plain,
}

/// <summary>
/// Parameters of a synthetic labelled sequence (<see cref="SceneSimulator"/>). Gen1 conventions by default: a
/// 304×240 sensor, class 0 = car, class 1 = pedestrian, labels every 50 ms at t = 50 ms, 100 ms, …
/// </summary>
public sealed record SceneOptions
{
    /// <summary>Sensor width in pixels.</summary>
    public int Width { get; init; } = 304;

    /// <summary>Sensor height in pixels.</summary>
    public int Height { get; init; } = 240;

    /// <summary>Length of the sequence in microseconds.</summary>
    public long DurationUs { get; init; } = 10_000_000;

    /// <summary>Seed of every random choice; a seed fixes the output exactly.</summary>
    public ulong Seed { get; init; }

    /// <summary>Internal rendering step: the scene is rendered and the camera updated this often.</summary>
    public long StepUs { get; init; } = 1000;

    /// <summary>
    /// Label rate. Label times are k·round(1e6/LabelHz) µs for k ≥ 1, so at 20 Hz they are exact multiples of 50 ms
    /// starting at 50 ms, and the Gen1 preprocessing (docs/DATA.md §2.2, 250 ms base period) keeps every 5th.
    /// </summary>
    public double LabelHz { get; init; } = 20;

    /// <summary>An object is labelled only when at least this fraction of its box is inside the view and not hidden by nearer objects' boxes.</summary>
    public double MinVisibleFraction { get; init; } = 0.5;

    /// <summary>Cars present (somewhere along their path) at t = 0.</summary>
    public int InitialCars { get; init; } = 1;

    /// <summary>Pedestrians present at t = 0.</summary>
    public int InitialPedestrians { get; init; } = 2;

    /// <summary>Mean rate at which new cars enter from the left or right edge.</summary>
    public double CarsPerSecond { get; init; } = 0.4;

    /// <summary>Mean rate at which new pedestrians enter from the left or right edge.</summary>
    public double PedestriansPerSecond { get; init; } = 0.3;

    /// <summary>Spawns are skipped while this many objects are alive.</summary>
    public int MaxObjects { get; init; } = 7;

    /// <summary>What is behind the objects.</summary>
    public BackgroundKind Background { get; init; } = BackgroundKind.Textured;

    /// <summary>Intensity of the <see cref="BackgroundKind.Plain"/> background.</summary>
    public float BackgroundLevel { get; init; } = 0.5f;

    /// <summary>
    /// Relative amplitude of a global sinusoidal illumination flicker (0 = off). Any flicker changes every pixel, so
    /// the whole frame is simulated at every step (several times slower).
    /// </summary>
    public float FlickerAmplitude { get; init; }

    /// <summary>Frequency of the illumination flicker.</summary>
    public float FlickerHz { get; init; } = 0.5f;

    /// <summary>The event camera model the scene is filmed with.</summary>
    public EventCameraOptions Camera { get; init; } = new();

    /// <summary>Label period in µs.</summary>
    public long LabelPeriodUs => (long)Math.Round(1e6 / LabelHz);

    /// <summary>Throws <see cref="ArgumentException"/> for an invalid size, duration, rate or fraction.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0 || Width > 16384 || Height > 16384)
        {
            throw new ArgumentException($"sensor size {Width}×{Height} must be within 1..16384");
        }
        if (DurationUs <= 0 || DurationUs > uint.MaxValue)
        {
            throw new ArgumentException($"duration {DurationUs} µs must be positive and fit the .dat 32-bit timestamps");
        }
        if (StepUs <= 0 || StepUs > DurationUs)
        {
            throw new ArgumentException($"step {StepUs} µs must be within 1..duration");
        }
        if (!(LabelHz > 0) || LabelHz > 1e6)
        {
            throw new ArgumentException($"label rate {LabelHz} Hz must be in (0, 1e6]");
        }
        if (InitialCars < 0 || InitialPedestrians < 0 || CarsPerSecond < 0 || PedestriansPerSecond < 0 || MaxObjects < 0)
        {
            throw new ArgumentException("object counts and rates must be ≥ 0");
        }
        if (MinVisibleFraction is < 0 or > 1 || FlickerAmplitude is < 0 or >= 1 || FlickerHz < 0)
        {
            throw new ArgumentException("visible fraction must be in [0,1], flicker amplitude in [0,1), flicker rate ≥ 0");
        }
        ArgumentNullException.ThrowIfNull(Camera);
        Camera.Validate();
    }
}
