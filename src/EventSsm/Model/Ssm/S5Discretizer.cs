using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Ssm;

/// <summary>
/// Discretisation of a diagonal continuous system x' = λx + B̃u (docs/MODEL.md §4.3), used by <see cref="S5Layer"/>
/// (and by exporters that bake Λ̄ and B̄). B̄ is diagonal-times-B̃, so only the per-state gain is returned: B̄ = gain[…, None] ⊙ B̃. Keeping the gain separate lets per-time-step Δ avoid a (L, P, H) tensor.
/// </summary>
public static class S5Discretizer
{
    /// <param name="lambda">λ, complex (P).</param>
    /// <param name="step">Δ, real, any shape broadcastable with (P).</param>
    /// <returns>Λ̄ and the input gain, complex, broadcast shape of λ and Δ.</returns>
    public static (Tensor LambdaBar, Tensor Gain) Discretize(Tensor lambda, Tensor step, S5Discretization method)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor lambdaBar;
        Tensor gain;
        if (method == S5Discretization.Bilinear)
        {
            Tensor halfStepLambda = step.div(Of(2.0)) * lambda;
            // 1/(1 − x) and 1 + x spelled as TorchSharp's operators compute them (reciprocal·1, −x + 1).
            Tensor bl = halfStepLambda.negative().add(Of(1.0), One).reciprocal().mul(Of(1.0));
            lambdaBar = bl * halfStepLambda.add(Of(1.0), One);
            gain = bl * step;
        }
        else
        {
            lambdaBar = (lambda * step).exp();
            gain = lambda.reciprocal().mul(Of(1.0)) * lambdaBar.sub(Of(1.0));
        }
        return (lambdaBar.MoveToOuterDisposeScope(), gain.MoveToOuterDisposeScope());
    }
}
