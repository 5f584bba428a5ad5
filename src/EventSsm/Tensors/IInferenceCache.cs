namespace EventSsm.Tensors;

/// <summary>
/// A module that keeps values derived from its weights for inference (eval mode, autograd off) and must drop them when
/// the weights change in place (<c>Model/InferenceCaches.Invalidate</c> finds every one in a module tree).
/// </summary>
public interface IInferenceCache
{
    /// <summary>Drops the cached values; the next inference forward derives them from the current weights.</summary>
    void InvalidateCaches();
}
