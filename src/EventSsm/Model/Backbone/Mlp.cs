using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Channels-last, ungated MaxViT MLP: Linear → exact GELU → Dropout(0) → Linear (docs/MODEL.md §3.1).
/// Keys: <c>net.0.0.{weight,bias}</c>, <c>net.2.{weight,bias}</c>, as in RVT's <c>MLP</c>.
/// </summary>
public sealed class Mlp : InferenceCachedModule
{
    private readonly Sequential net;

    public Mlp(int dim, int expansionRatio = 4, bool bias = true) : base(nameof(Mlp))
    {
        int inner = dim * expansionRatio;
        net = Sequential(
            Sequential(Linear(dim, inner, hasBias: bias), GELU()),
            Dropout(0.0),
            Linear(inner, dim, hasBias: bias));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => Forward(x, null);

    /// <summary>
    /// The MLP with its output multiplied per channel by <paramref name="outputScale"/> (C) when given: the block's
    /// LayerScale folded into the second linear (docs/MODEL.md §11.1), the folded weight kept at inference.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor? outputScale)
    {
        using DisposeScope scope = NewDisposeScope();
        var inner = (Sequential)net[0];
        Tensor h = inner[1].call(TokenLinear.Forward((Linear)inner[0], x));
        return TokenLinear.Forward((Linear)net[2], h, outputScale, Inferring ? Cache : null).MoveToOuterDisposeScope();
    }
}
