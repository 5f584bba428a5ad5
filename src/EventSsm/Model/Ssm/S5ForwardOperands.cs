using static TorchSharp.torch;

namespace EventSsm.Model.Ssm;

/// <summary>
/// The weight-derived operands of <see cref="S5Ssm.Forward"/> in real arithmetic: Λ̄ = <see cref="LambdaReal"/> +
/// i·<see cref="LambdaImag"/> (P), B̄ stacked as [Re; Im] (2P, H) and the readout [Cr | −Ci] (H, 2P) with the pass-band
/// mask applied. Built per call while training; cached between calls at inference (<see cref="S5Ssm.InvalidateCaches"/>).
/// </summary>
internal sealed class S5ForwardOperands : IDisposable
{
    public S5ForwardOperands(Tensor lambdaReal, Tensor lambdaImag, Tensor bReal, Tensor cReal)
    {
        LambdaReal = lambdaReal;
        LambdaImag = lambdaImag;
        BReal = bReal;
        CReal = cReal;
    }

    public Tensor LambdaReal { get; }

    public Tensor LambdaImag { get; }

    /// <summary>[Re B̄; Im B̄], (2P, H).</summary>
    public Tensor BReal { get; }

    /// <summary>[Cr | −Ci] with masked modes zeroed, (H, 2P).</summary>
    public Tensor CReal { get; }

    /// <summary>Takes the four tensors out of every dispose scope, so that they live as long as this object.</summary>
    public S5ForwardOperands DetachFromDisposeScope()
    {
        foreach (Tensor t in (Tensor[])[LambdaReal, LambdaImag, BReal, CReal])
        {
            t.DetachFromDisposeScope();
        }
        return this;
    }

    public void Dispose()
    {
        LambdaReal.Dispose();
        LambdaImag.Dispose();
        BReal.Dispose();
        CReal.Dispose();
    }
}
