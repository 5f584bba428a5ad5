using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Backbone;

/// <summary>Per-channel scale x·γ (channels last). Key: <c>gamma (C)</c>.</summary>
public sealed class LayerScale : nn.Module<Tensor, Tensor>
{
    private readonly Parameter gamma;

    public LayerScale(int dim, double initValue = 1e-5) : base(nameof(LayerScale))
    {
        gamma = new Parameter(full(dim, Of(initValue), ScalarType.Float32));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * gamma;

    /// <summary>γ (C), for layers that fold the scale into their weights (a method: Module.to(dtype) assigns every
    /// Tensor property).</summary>
    public Tensor Scale() => gamma;
}
