using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EventSsm.Tensors;

/// <summary>
/// A layer that keeps tensors derived from its parameters for inference (docs/MODEL.md §11.1) in <see cref="Cache"/>:
/// dropped by <c>train()</c> / <c>eval()</c>, by <c>Model/InferenceCaches.Invalidate</c> (weight loaders) and on
/// dispose.
/// </summary>
public abstract class InferenceCachedModule : Module<Tensor, Tensor>, IInferenceCache
{
    /// <param name="name">The module's name, as TorchSharp's <c>Module</c> takes it.</param>
    protected InferenceCachedModule(string name) : base(name)
    {
    }

    /// <summary>The derived tensors.</summary>
    protected DerivedTensorCache Cache { get; } = new();

    /// <summary>True on the inference path: eval mode with autograd off, where the cached tensors may be used.</summary>
    protected bool Inferring => !training && !is_grad_enabled();

    /// <inheritdoc />
    public void InvalidateCaches() => Cache.Clear();

    /// <inheritdoc />
    public override void train(bool train = true)
    {
        InvalidateCaches();
        base.train(train);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            InvalidateCaches();
        }
        base.Dispose(disposing);
    }
}
