using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// Tensors derived from a module's parameters for inference (a folded weight, a copy in another memory layout), kept
/// until a source is another tensor object than the one they were derived from (after <c>to()</c>, for instance) or
/// the cache is cleared. An object of its own, not tensor fields of the module: TorchSharp's
/// <c>RegisterComponents</c> would take a tensor field that is set at registration for a buffer of the state dict.
/// </summary>
public sealed class DerivedTensorCache : IDisposable
{
    private Tensor[]? _values;
    private Tensor?[] _sources = [];

    /// <summary>
    /// The cached tensors when they were derived from exactly <paramref name="sources"/> (compared by reference), else
    /// <paramref name="derive"/>'s, which the cache then owns. <paramref name="derive"/> runs in a dispose scope of its
    /// own, so its intermediate tensors are freed.
    /// </summary>
    public Tensor[] Get(Tensor?[] sources, Func<Tensor[]> derive)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(derive);
        if (_values is not null && SameSources(sources))
        {
            return _values;
        }
        Clear();
        using DisposeScope scope = NewDisposeScope();
        Tensor[] values = derive();
        foreach (Tensor value in values)
        {
            value.DetachFromDisposeScope();
        }
        _values = values;
        _sources = [.. sources];
        return values;
    }

    // A loop, not LINQ: this runs for every cached layer at every inference call.
    private bool SameSources(Tensor?[] sources)
    {
        if (sources.Length != _sources.Length)
        {
            return false;
        }
        for (int i = 0; i < sources.Length; i++)
        {
            if (!ReferenceEquals(sources[i], _sources[i]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Disposes the cached tensors; the next <see cref="Get"/> derives them again.</summary>
    public void Clear()
    {
        foreach (Tensor value in _values ?? [])
        {
            value.Dispose();
        }
        _values = null;
        _sources = [];
    }

    /// <summary>Disposes the cached tensors (<see cref="Clear"/>).</summary>
    public void Dispose() => Clear();
}
