using EventSsm.Config;
using EventSsm.Datasets;

namespace EventSsm.Training;

/// <summary>Training settings, read from the original's config keys (docs/MODEL.md §8, docs/DATA.md §3).</summary>
public sealed record TrainerOptions
{
    public required string DatasetPath { get; init; }

    /// <summary>The dataset description of the config (<c>dataset.*</c>, docs/DATA.md §8).</summary>
    public required DatasetDescription Dataset { get; init; }

    /// <summary><c>dataset.ev_repr_name</c>: the representation folder read for every split (train and validation).</summary>
    public string RepresentationName { get; init; } = PreprocessedSequence.DefaultRepresentationName;

    public required int SequenceLength { get; init; }

    public required int BatchSize { get; init; }

    public required double LearningRate { get; init; }

    public double WeightDecay { get; init; }

    public required long MaxSteps { get; init; }

    public double PctStart { get; init; } = 0.005;

    public double DivFactor { get; init; } = 20;

    /// <summary>The original's final_div_factor: final lr = max lr / this (PyTorch's factor is this / div_factor).</summary>
    public double FinalDivFactor { get; init; } = 10_000;

    public double GradientClipValue { get; init; } = 1.0;

    /// <summary>Validate every this many steps (null: only at the end).</summary>
    public long? ValidationInterval { get; init; }

    public long CheckpointInterval { get; init; } = 1000;

    public long LogInterval { get; init; } = 10;

    public double StreamWeight { get; init; } = 1;

    public double RandomWeight { get; init; } = 1;

    public bool Augment { get; init; } = true;

    public int Seed { get; init; }

    /// <summary><c>hardware.num_workers.train</c>: threads reading batches ahead of the training step (0: read in the step).</summary>
    public int LoaderWorkers { get; init; }

    /// <summary>Batches read ahead per loader worker (<c>hardware.prefetch_factor</c>, PyTorch's DataLoader default 2).</summary>
    public int PrefetchFactor { get; init; } = 2;

    /// <summary>
    /// <c>training.recompute_attention</c> (EventSsm addition, default false): the backbone stages, numbered from 1,
    /// whose attention blocks are recomputed in the backward instead of keeping their activations (docs/MODEL.md
    /// §11.2). Empty: none.
    /// </summary>
    public IReadOnlyList<int> RecomputeAttention { get; init; } = [];

    /// <summary>
    /// The stages <c>training.recompute_attention</c> of <paramref name="cfg"/> names: none when absent or false, every
    /// stage when true, or the listed stage numbers (1 = the first, highest-resolution stage). Anything else is a
    /// <see cref="ConfigException"/> naming the key.
    /// </summary>
    public static int[] RecomputeAttentionFrom(ConfigNode cfg)
    {
        const string key = "training.recompute_attention";
        if (!cfg.TryGet(key, out object? value) || value is null or false)
        {
            return [];
        }
        // RVT's backbone has four stages; num_blocks has one entry per stage.
        int stages = cfg.TryGet("model.backbone.num_blocks", out object? blocks) && blocks is not null
            ? cfg.GetIntList("model.backbone.num_blocks").Length
            : 4;
        if (value is true)
        {
            return Enumerable.Range(1, stages).ToArray();
        }
        if (value is not List<object?>)
        {
            throw new ConfigException($"config key '{key}' = {value} must be true, false or a list of stage numbers 1..{stages}");
        }
        int[] listed = cfg.GetIntList(key);
        foreach (int stage in listed)
        {
            if (stage < 1 || stage > stages)
            {
                throw new ConfigException($"config key '{key}': stage {stage} is not one of 1..{stages}");
            }
        }
        return listed.Distinct().Order().ToArray();
    }

    public static TrainerOptions FromConfig(ConfigNode cfg, int seed = 0)
    {
        string path = cfg.TryGet("dataset.path", out object? p) && p is string s && s.Length > 0
            ? s
            : throw new ConfigException("config key 'dataset.path' is not set (pass dataset.path=DIR, the preprocessed dataset root)");
        long? val = cfg.TryGet("validation.val_check_interval", out object? v) && v is not null ? cfg.GetInt64("validation.val_check_interval") : null;
        return new TrainerOptions
        {
            DatasetPath = path,
            Dataset = DatasetDescription.FromConfig(cfg),
            RepresentationName = cfg.TryGet("dataset.ev_repr_name", out object? rn) && rn is string r && r.Length > 0 ? r : PreprocessedSequence.DefaultRepresentationName,
            SequenceLength = cfg.GetInt("dataset.sequence_length"),
            BatchSize = cfg.GetInt("batch_size.train"),
            LearningRate = cfg.GetDouble("training.learning_rate"),
            WeightDecay = cfg.GetDouble("training.weight_decay"),
            MaxSteps = cfg.GetInt64("training.max_steps"),
            PctStart = cfg.GetDouble("training.lr_scheduler.pct_start"),
            DivFactor = cfg.GetDouble("training.lr_scheduler.div_factor"),
            FinalDivFactor = cfg.GetDouble("training.lr_scheduler.final_div_factor"),
            GradientClipValue = cfg.GetDouble("training.gradient_clip_val"),
            ValidationInterval = val,
            // EventSsm addition: how often checkpoints/last.safetensors is rewritten (the original saves per epoch).
            CheckpointInterval = cfg.TryGet("training.checkpoint_interval", out object? ci) && ci is not null ? cfg.GetInt64("training.checkpoint_interval") : 1000,
            StreamWeight = cfg.TryGet("dataset.train.mixed.w_stream", out object? ws) && ws is not null ? cfg.GetDouble("dataset.train.mixed.w_stream") : 1,
            RandomWeight = cfg.TryGet("dataset.train.mixed.w_random", out object? wr) && wr is not null ? cfg.GetDouble("dataset.train.mixed.w_random") : 1,
            Seed = seed,
            LoaderWorkers = cfg.GetInt("hardware.num_workers.train"),
            // EventSsm addition (not in the original's config): PyTorch's DataLoader prefetch_factor.
            PrefetchFactor = cfg.TryGet("hardware.prefetch_factor", out object? pf) && pf is not null ? cfg.GetInt("hardware.prefetch_factor") : 2,
            RecomputeAttention = RecomputeAttentionFrom(cfg),
        };
    }
}
