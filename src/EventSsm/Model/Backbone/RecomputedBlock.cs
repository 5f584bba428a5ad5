using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Model.Backbone;

/// <summary>
/// Activation recomputation for one MaxViT block pair (docs/MODEL.md §11.2): the forward keeps only the block's
/// input; the backward runs the block again with autograd on that input and back-propagates through it, which
/// accumulates the block's parameter gradients and returns the input's. The block's internal activations (about 30
/// token×channel maps per pair) are then alive for one block at a time instead of for the whole forward. TorchSharp's
/// custom autograd function is used because libtorch's C++ API has no checkpoint of its own.
/// </summary>
internal sealed class RecomputedBlock : autograd.SingleTensorFunction<RecomputedBlock>
{
    private const string BlockKey = "block";

    public override string Name => nameof(RecomputedBlock);

    /// <summary>The block's output for <paramref name="x"/>, with a backward that recomputes the block.</summary>
    public static Tensor Apply(Module<Tensor, Tensor> block, Tensor x) => apply(x, block);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        ctx.save_for_backward([x]);
        ctx.save_data(BlockKey, vars[1]);
        // TorchSharp calls this without autograd; the block runs with it all the same, so that it takes the kernels of
        // a plain training forward (docs/MODEL.md §11.1) and training stays bit-identical. Its graph dies with the
        // scope: only the detached output leaves.
        using DisposeScope scope = NewDisposeScope();
        using IDisposable grad = enable_grad();
        return ((Module<Tensor, Tensor>)vars[1]).call(x.detach()).detach().MoveToOuterDisposeScope();
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var block = (Module<Tensor, Tensor>)ctx.get_data(BlockKey);
        Tensor gradInput;
        using (DisposeScope scope = NewDisposeScope())
        using (enable_grad())
        {
            Tensor input = ctx.get_saved_variables()[0].detach().requires_grad_(true);
            // A nested backward through the recomputed block: parameter gradients accumulate as in a plain backward.
            block.call(input).backward([gradOutput]);
            // The caller's scope (the training step's) keeps the gradient alive until libtorch has taken it.
            gradInput = input.grad!.detach().MoveToOuterDisposeScope();
        }
        return [gradInput, null!];
    }
}
