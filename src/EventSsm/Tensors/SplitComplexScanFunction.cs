using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// The S5 scan as an autograd operation (docs/MODEL.md §11.1, "The S5 scan in one pass"):
/// <c>apply(bu, λr, λi, timeAxis[, previous])</c> → all states in B̄u's layout, as <see cref="SplitComplexScan"/>'s
/// forward computes them, with a backward that runs the adjoint recurrence once per sequence and returns the
/// gradients of B̄u, λr and λi. The carried state, where given, is a constant (the trainer stores states detached).
/// It keeps only the states for the backward, which it returns anyway; libtorch's autograd keeps a swapped copy of
/// every state besides.
/// </summary>
public sealed class SplitComplexScanFunction : autograd.SingleTensorFunction<SplitComplexScanFunction>
{
    /// <inheritdoc/>
    public override string Name => "SplitComplexScan";

    /// <summary>
    /// The states of the scan over <paramref name="bu"/> (time axis <paramref name="timeAxis"/>); takes what
    /// <see cref="SplitComplexScan.Fits"/> accepts, with <paramref name="previous"/> outside autograd.
    /// </summary>
    public static Tensor Apply(Tensor bu, Tensor lambdaReal, Tensor lambdaImag, Tensor? previous, int timeAxis) =>
        // No null among the arguments: the carried state is passed only when there is one.
        previous is null ? apply(bu, lambdaReal, lambdaImag, timeAxis) : apply(bu, lambdaReal, lambdaImag, timeAxis, previous);

    /// <inheritdoc/>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var bu = (Tensor)vars[0];
        var lambdaReal = (Tensor)vars[1];
        var lambdaImag = (Tensor)vars[2];
        var timeAxis = (int)vars[3];
        Tensor? previous = vars.Length > 4 ? (Tensor)vars[4] : null;
        if (previous is not null && previous.requires_grad)
        {
            throw new ArgumentException("the scan's carried state must not require gradients (states are stored detached)", nameof(vars));
        }
        Tensor states = SplitComplexScan.States(bu, lambdaReal, lambdaImag, previous, timeAxis);
        ctx.save_for_backward(previous is null ? [states, lambdaReal, lambdaImag] : [states, lambdaReal, lambdaImag, previous]);
        ctx.save_data(nameof(timeAxis), timeAxis);
        ctx.save_data("arguments", vars.Length);
        return states;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        List<Tensor> saved = ctx.get_saved_variables();
        using Tensor states = saved[0];
        using Tensor lambdaReal = saved[1];
        using Tensor lambdaImag = saved[2];
        using Tensor? previous = saved.Count > 3 ? saved[3] : null;
        using Tensor gradient = grad_output.contiguous();
        (Tensor bu, Tensor lr, Tensor li) = SplitComplexScan.Backward(
            gradient, states, lambdaReal, lambdaImag, previous, (int)ctx.get_data("timeAxis"));
        // One gradient per forward argument: none for the axis and the constant state.
        return (int)ctx.get_data("arguments") > 4 ? [bu, lr, li, null!, null!] : [bu, lr, li, null!];
    }
}
