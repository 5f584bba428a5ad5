using static TorchSharp.torch;

namespace EventSsm.Model.Ssm;

/// <summary>
/// The weight-derived operands of an <see cref="S5Layer"/> at one step scale, in real arithmetic: Λ̄ =
/// <see cref="LambdaReal"/> + i·<see cref="LambdaImag"/> (P), B̄ stacked as [Re; Im] (2P, H) and the readout
/// [Cr | −Ci] per direction (H, 2P or 4P) with the pass-band mask and the conjugate-symmetry factor applied. Built per
/// call while training; cached between calls at inference (<see cref="S5Layer.InvalidateCaches"/>); handed to
/// exporters by <see cref="S5Layer.RealOperands"/>.
/// </summary>
public sealed class S5ForwardOperands : IDisposable
{
    public S5ForwardOperands(Tensor lambdaReal, Tensor lambdaImag, Tensor bReal, Tensor cReal)
    {
        LambdaReal = lambdaReal;
        LambdaImag = lambdaImag;
        BReal = bReal;
        CReal = cReal;
    }

    /// <summary>Re Λ̄, (P).</summary>
    public Tensor LambdaReal { get; }

    /// <summary>Im Λ̄, (P).</summary>
    public Tensor LambdaImag { get; }

    /// <summary>[Re B̄; Im B̄], (2P, H).</summary>
    public Tensor BReal { get; }

    /// <summary>[Cr | −Ci] (per direction, [forward | backward]) with masked modes zeroed, (H, 2P·directions).</summary>
    public Tensor CReal { get; }

    /// <summary>Takes the four tensors out of every dispose scope, so that they live as long as this object.</summary>
    public S5ForwardOperands DetachFromDisposeScope()
    {
        foreach (Tensor t in Tensors)
        {
            t.DetachFromDisposeScope();
        }
        return this;
    }

    /// <summary>Moves the four tensors to the enclosing dispose scope.</summary>
    public S5ForwardOperands MoveToOuterDisposeScope()
    {
        foreach (Tensor t in Tensors)
        {
            t.MoveToOuterDisposeScope();
        }
        return this;
    }

    public void Dispose()
    {
        foreach (Tensor t in Tensors)
        {
            t.Dispose();
        }
    }

    private Tensor[] Tensors => [LambdaReal, LambdaImag, BReal, CReal];
}
