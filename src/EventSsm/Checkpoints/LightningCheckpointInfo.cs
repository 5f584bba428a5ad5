using EventSsm.Config;

namespace EventSsm.Checkpoints;

/// <summary>
/// What a Lightning checkpoint holds besides the weights (docs/MODEL.md §7.1): the training progress, the Lightning
/// version its loader migrates from, and the config saved as <c>hyper_parameters.full_config</c>.
/// </summary>
/// <param name="Config">The resolved config; null writes empty <c>hyper_parameters</c>.</param>
/// <param name="Epoch">Lightning's <c>epoch</c>.</param>
/// <param name="GlobalStep">Lightning's <c>global_step</c> (optimizer steps).</param>
/// <param name="LightningVersion">Lightning's <c>pytorch-lightning_version</c>.</param>
public sealed record LightningCheckpointInfo(ConfigNode? Config, long Epoch = 0, long GlobalStep = 0,
    string LightningVersion = LightningCheckpointInfo.OriginalLightningVersion)
{
    /// <summary>The Lightning release the original's environment installs (docs/MODEL.md §7.1).</summary>
    public const string OriginalLightningVersion = "1.8.6";
}
