using System.Globalization;
using System.Text.RegularExpressions;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Model.Ssm;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Reads the frequency-generalisation keys under <c>model.backbone.s5</c> (docs/FREQUENCY.md): <c>step_scale</c>
/// (a number or <c>auto</c>), <c>train_hz</c>, <c>mask</c> (off|on|always), <c>mask_bandlimit</c>, <c>h2_weight</c>,
/// <c>h2_bandlimit</c>. Every key is optional, so configs embedded in older checkpoints still load.
/// </summary>
public static partial class S5FrequencyConfig
{
    public const string Prefix = "model.backbone.s5.";

    /// <summary>The original trains on 50 ms steps.</summary>
    public const double DefaultTrainHz = 1000.0 / PreprocessOptions.ReferenceStepMs;

    /// <summary>
    /// The step scale s. A number is used as is; <c>auto</c> gives s = f_train / f_data with f_train =
    /// <c>train_hz</c> (default 20) and f_data = 1000 / step_ms of <c>dataset.ev_repr_name</c>.
    /// </summary>
    public static double StepScale(ConfigNode cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        if (!cfg.TryGet(Prefix + "step_scale", out object? value) || value is null)
        {
            return 1.0;
        }
        if (value is string s && s.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            string repr = cfg.TryGet("dataset.ev_repr_name", out object? r) && r is string name
                ? name
                : throw new ConfigException($"config key '{Prefix}step_scale' = auto needs dataset.ev_repr_name to know the data rate");
            return TrainHz(cfg) / DataRateHz(repr);
        }
        return cfg.GetDouble(Prefix + "step_scale");
    }

    /// <summary><c>train_hz</c>: the rate the checkpoint was trained at (default 20 Hz).</summary>
    public static double TrainHz(ConfigNode cfg)
    {
        double hz = cfg.TryGet(Prefix + "train_hz", out object? v) && v is not null ? cfg.GetDouble(Prefix + "train_hz") : DefaultTrainHz;
        if (!(hz > 0))
        {
            throw new ConfigException($"config key '{Prefix}train_hz' = {hz}, expected a positive rate");
        }
        return hz;
    }

    /// <summary>
    /// The representation rate 1000 / step_ms of a preprocessed representation name: <c>_step=&lt;ms&gt;</c> when present
    /// (true-rate preprocessing), else the original's fixed 50 ms step (20 Hz), whatever the window dt is.
    /// </summary>
    public static double DataRateHz(string representationName)
    {
        ArgumentNullException.ThrowIfNull(representationName);
        Match m = StepPattern().Match(representationName);
        double stepMs = m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : PreprocessOptions.ReferenceStepMs;
        if (!(stepMs > 0))
        {
            throw new ArgumentException($"representation '{representationName}': step must be positive");
        }
        return 1000.0 / stepMs;
    }

    /// <summary><c>mask</c>: off (default), on (eval only) or always. YAML 1.1 reads bare on/off as booleans; both forms are accepted.</summary>
    public static S5MaskMode Mask(ConfigNode cfg)
    {
        if (!cfg.TryGet(Prefix + "mask", out object? v) || v is null)
        {
            return S5MaskMode.Off;
        }
        return v switch
        {
            bool b => b ? S5MaskMode.Eval : S5MaskMode.Off,
            string s => ParseMask(s),
            _ => throw new ConfigException($"config key '{Prefix}mask' = {v}, expected off, on or always"),
        };
    }

    public static S5MaskMode ParseMask(string value) => value.Trim().ToLowerInvariant() switch
    {
        "off" or "false" => S5MaskMode.Off,
        "on" or "true" or "eval" => S5MaskMode.Eval,
        "always" => S5MaskMode.Always,
        _ => throw new ConfigException($"config key '{Prefix}mask' = {value}, expected off, on or always"),
    };

    /// <summary>The options in <paramref name="backbone"/> with the mask and H2 keys of <paramref name="cfg"/> applied.</summary>
    public static BackboneOptions Apply(ConfigNode cfg, BackboneOptions backbone) => backbone with
    {
        Mask = Mask(cfg),
        MaskBandlimit = Double(cfg, "mask_bandlimit", 0.5),
        H2Weight = Double(cfg, "h2_weight", 0.0),
        H2Bandlimit = Double(cfg, "h2_bandlimit", 0.5),
    };

    private static double Double(ConfigNode cfg, string key, double fallback) =>
        cfg.TryGet(Prefix + key, out object? v) && v is not null ? cfg.GetDouble(Prefix + key) : fallback;

    [GeneratedRegex(@"_step=([0-9]+(?:\.[0-9]+)?)")]
    private static partial Regex StepPattern();
}
