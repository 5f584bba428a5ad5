using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Workflows.Examples;

/// <summary>
/// Small sequence classifier: Linear encoder → <c>depth</c> × <see cref="S5Block"/> → mean over time → Linear
/// decoder. The per-event gaps are passed to every S5 layer as the step scale (irregular sampling).
/// </summary>
public sealed class BurstClassifier : nn.Module
{
    private readonly Linear encoder;
    private readonly ModuleList<S5Block> blocks;
    private readonly Linear decoder;

    /// <summary>
    /// A classifier of <paramref name="inputs"/> features per step into <paramref name="classes"/> classes through
    /// <paramref name="depth"/> S5 blocks of <paramref name="width"/> channels.
    /// </summary>
    public BurstClassifier(int inputs, int classes, int width, int depth, S5BlockVariant variant, S5LayerOptions options, Generator? generator = null)
        : base(nameof(BurstClassifier))
    {
        encoder = Linear(inputs, width);
        blocks = new ModuleList<S5Block>();
        for (int i = 0; i < depth; i++)
        {
            blocks.Add(new S5Block(width, options, variant, generator));
        }
        decoder = Linear(width, classes);
        RegisterComponents();
    }

    /// <summary>features (N, L, F), gaps (N, L) → logits (N, classes).</summary>
    public Tensor Forward(Tensor features, Tensor gaps)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x = encoder.call(features);
        foreach (S5Block block in blocks)
        {
            x = block.Forward(x, gaps).Y;
        }
        return decoder.call(x.mean([1])).MoveToOuterDisposeScope();
    }
}
