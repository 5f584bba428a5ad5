using EventSsm.Config;

namespace EventSsm.Training;

/// <summary>
/// The original's <c>logging.train.high_dim</c> / <c>logging.validation.high_dim</c> keys: whether images of
/// predictions vs labels are logged, how often (training steps, or validations for the validation side, which the
/// original counts in epochs) and for how many samples.
/// </summary>
public sealed record HighDimLogging(bool Enable, long Every, int Samples)
{
    public static readonly HighDimLogging Off = new(false, 1, 0);

    /// <summary><c>logging.train.high_dim.{enable, every_n_steps, n_samples}</c>.</summary>
    public static HighDimLogging Train(ConfigNode config) => Read(config, "logging.train.high_dim", "every_n_steps");

    /// <summary><c>logging.validation.high_dim.{enable, every_n_epochs, n_samples}</c>; one validation counts as an epoch.</summary>
    public static HighDimLogging Validation(ConfigNode config) => Read(config, "logging.validation.high_dim", "every_n_epochs");

    public bool IsDue(long index) => Enable && Samples > 0 && index > 0 && index % Every == 0;

    private static HighDimLogging Read(ConfigNode config, string prefix, string everyKey)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.TryGet(prefix + ".enable", out object? enable) || enable is null || !config.GetBool(prefix + ".enable"))
        {
            return Off;
        }
        long every = config.GetInt(prefix + "." + everyKey);
        int samples = config.GetInt(prefix + ".n_samples");
        if (every <= 0 || samples < 0)
        {
            throw new ConfigException($"{prefix}: {everyKey} must be positive and n_samples not negative (got {every}, {samples})");
        }
        return new HighDimLogging(true, every, samples);
    }
}
