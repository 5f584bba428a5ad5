using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// The H2 regulariser of docs/FREQUENCY.md: Σ over every <see cref="S5Layer"/> in a model of the energy of its frequency
/// response beyond ω_c = π·β, (1/2π)∫_{|ω|≥ω_c}‖H(iω)‖²_F dω. Minimising it pushes the S5 layers towards low-pass
/// behaviour, so that they alias less when the step changes. Not in the original (docs/MODEL.md §4.5).
/// </summary>
public static class S5H2Penalty
{
    /// <summary>The summed energy (scalar float32, differentiable); 0 when the model has no S5 layers.</summary>
    /// <param name="stepScale">The step scale the layers run at (Δ → s·Δ).</param>
    /// <param name="bandlimit">β; the cutoff is π·β radians per step.</param>
    public static Tensor Compute(nn.Module model, double stepScale, double bandlimit)
    {
        ArgumentNullException.ThrowIfNull(model);
        using DisposeScope scope = NewDisposeScope();
        // On the model's device (the CPU for a model without parameters).
        Device device = model.parameters().FirstOrDefault()?.device ?? CPU;
        Tensor total = zeros([], dtype: float32, device: device);
        // TorchSharp's modules() lists descendants only; the model may itself be an S5 layer.
        foreach (S5Layer ssm in model.modules().Prepend(model).OfType<S5Layer>())
        {
            Tensor e = ssm.EnergyAboveCutoff(stepScale, bandlimit);
            total = total.add(e, One);
        }
        return total.MoveToOuterDisposeScope();
    }
}
