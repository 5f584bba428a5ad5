using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Model.Ssm;

/// <summary>
/// The original's <c>S5</c> wrapper (block_count 1, dense B/C init): owns one <see cref="S5Ssm"/> as child <c>seq</c>, so
/// its keys are <c>seq.Lambda</c> etc. The original vmaps the SSM over sequences; <see cref="S5Ssm"/> is batched already.
/// </summary>
public sealed class S5 : nn.Module
{
    private readonly S5Ssm seq;

    public S5(
        int width,
        int stateWidth,
        double dtMin = 1e-3,
        double dtMax = 1e-1,
        double? bandlimit = null,
        S5Discretization discretization = S5Discretization.Bilinear,
        Generator? generator = null)
        : base(nameof(S5))
    {
        seq = new S5Ssm(width, stateWidth, dtMin, dtMax, bandlimit, discretization, generator);
        RegisterComponents();
    }

    public S5Ssm Ssm => seq;

    /// <inheritdoc cref="S5Ssm.Forward"/>
    public (Tensor Y, Tensor State) Forward(Tensor u, Tensor? prevState, double stepScale, S5StateMode mode) =>
        seq.Forward(u, prevState, stepScale, mode);
}
