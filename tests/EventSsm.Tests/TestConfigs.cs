using EventSsm.Config;

namespace EventSsm.Tests;

/// <summary>The shipped configs/ folder (copied next to the test assembly) and the overrides tests share.</summary>
internal static class TestConfigs
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "configs");

    /// <summary>
    /// The micro S5-ViT of the demo and most model tests: gen1, the small experiment with embed_dim 16 and
    /// dim_head 8 (≈ 0.6 M parameters, fast on two cores).
    /// </summary>
    public static readonly string[] MicroGen1 =
    [
        "dataset=gen1", "+experiment/gen1=small.yaml", "model.backbone.embed_dim=16", "model.backbone.stage.attention.dim_head=8",
    ];

    /// <summary>The config of <paramref name="mode"/> (train or val) for the given overrides.</summary>
    public static ConfigNode Compose(string mode, params string[] overrides) => ConfigComposer.Compose(Directory, mode, overrides);

    /// <summary>The micro gen1 model's config, with <paramref name="extra"/> overrides after <see cref="MicroGen1"/>.</summary>
    public static ConfigNode Micro(string mode, params string[] extra) => Compose(mode, [.. MicroGen1, .. extra]);
}
