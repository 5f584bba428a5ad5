using EventSsm.Config;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;
using EventSsm.Detections;

namespace EventSsm.Model;

/// <summary>Everything needed to build a <see cref="YoloXDetector"/>, resolved from the original's config keys.</summary>
public sealed record DetectorOptions(
    BackboneOptions Backbone,
    FpnOptions Fpn,
    HeadOptions Head,
    int InputHeight,
    int InputWidth,
    double ConfidenceThreshold = Postprocess.DefaultConfidenceThreshold,
    double NmsThreshold = Postprocess.DefaultNmsThreshold)
{
    private const string RecurrentKey = "model.backbone.recurrent";

    /// <summary>
    /// Reads a composed config after <see cref="ConfigModifier.Apply"/> (docs/MODEL.md §1): backbone dims, partition
    /// size, the recurrent layer (S5 options, or RVT's <c>stage.lstm</c> keys), FPN depth/stages and the head's class count.
    /// </summary>
    public static DetectorOptions FromConfig(ConfigNode cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        int[] partition = cfg.GetIntList("model.backbone.stage.attention.partition_size");
        int[] inRes = cfg.GetIntList("model.backbone.in_res_hw");
        string mode = cfg.TryGet("model.backbone.s5.state_mode", out object? m) && m is string s ? s : "reference";
        double stepScale = S5FrequencyConfig.StepScale(cfg);
        var backbone = new BackboneOptions(
            inputChannels: cfg.GetInt("model.backbone.input_channels"),
            embedDim: cfg.GetInt("model.backbone.embed_dim"),
            dimMultiplier: cfg.GetIntList("model.backbone.dim_multiplier"),
            numBlocks: cfg.GetIntList("model.backbone.num_blocks"),
            dimHead: cfg.GetInt("model.backbone.stage.attention.dim_head"),
            partitionSize: (partition[0], partition[1]),
            stemPatchSize: cfg.GetInt("model.backbone.stem.patch_size"),
            mlpRatio: cfg.GetInt("model.backbone.stage.attention.mlp_ratio"),
            lsInitValue: cfg.GetDouble("model.backbone.stage.attention.ls_init_value"),
            stateMode: ParseStateMode(mode),
            stepScale: stepScale,
            recurrent: ReadRecurrent(cfg),
            lstm: ReadLstm(cfg));
        backbone = S5FrequencyConfig.Apply(cfg, backbone);
        int[] inStages = cfg.GetIntList("model.fpn.in_stages");
        long[] inChannels = inStages.Select(i => (long)backbone.StageDim(i - 1)).ToArray();
        var fpn = new FpnOptions(cfg.GetDouble("model.fpn.depth"), inStages, inChannels, cfg.GetString("model.fpn.act"), cfg.GetBool("model.fpn.depthwise"));
        int[] strides = inStages.Select(i => backbone.StageStride(i - 1)).ToArray();
        var head = new HeadOptions(cfg.GetInt("model.head.num_classes"), strides, inChannels, cfg.GetString("model.head.act"), cfg.GetBool("model.head.depthwise"));
        return new DetectorOptions(backbone, fpn, head, inRes[0], inRes[1],
            cfg.GetDouble("model.postprocess.confidence_threshold"), cfg.GetDouble("model.postprocess.nms_threshold"));
    }

    /// <summary><c>model.backbone.recurrent</c>: s5 (the default when the key is absent, as in the original) or lstm.</summary>
    public static RecurrentLayer ReadRecurrent(ConfigNode cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        if (!cfg.TryGet(RecurrentKey, out object? value) || value is null)
        {
            return RecurrentLayer.S5;
        }
        return value is string s ? s.Trim().ToLowerInvariant() switch
        {
            "s5" => RecurrentLayer.S5,
            "lstm" => RecurrentLayer.Lstm,
            _ => throw new ConfigException($"config key '{RecurrentKey}' = {s}, expected s5 or lstm"),
        } : throw new ConfigException($"config key '{RecurrentKey}' = {value}, expected s5 or lstm");
    }

    /// <summary>
    /// RVT's <c>model.backbone.stage.lstm</c> keys, required (as in RVT) only for an lstm backbone;
    /// <c>drop_cell_update</c> defaults to 0 as RVT's <c>lstm_cfg.get('drop_cell_update', 0)</c>.
    /// </summary>
    private static LstmOptions? ReadLstm(ConfigNode cfg)
    {
        if (ReadRecurrent(cfg) != RecurrentLayer.Lstm)
        {
            return null;
        }
        const string prefix = "model.backbone.stage.lstm.";
        var lstm = new LstmOptions(
            DwsConv: cfg.GetBool(prefix + "dws_conv"),
            DwsConvOnlyHidden: cfg.GetBool(prefix + "dws_conv_only_hidden"),
            DwsConvKernelSize: cfg.GetInt(prefix + "dws_conv_kernel_size"),
            DropCellUpdate: cfg.TryGet(prefix + "drop_cell_update", out object? d) && d is not null ? cfg.GetDouble(prefix + "drop_cell_update") : 0);
        try
        {
            lstm.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"config section '{prefix.TrimEnd('.')}': {e.Message}", e);
        }
        return lstm;
    }

    public static S5StateMode ParseStateMode(string mode) => mode.Trim().ToLowerInvariant() switch
    {
        "reference" => S5StateMode.Reference,
        "carry" => S5StateMode.Carry,
        _ => throw new ConfigException($"config key 'model.backbone.s5.state_mode' = {mode}, expected reference or carry"),
    };
}
