using TorchSharp;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Tests.Tensors;

/// <summary>The inference caches' store of tensors derived from parameters (docs/MODEL.md §11.1).</summary>
public sealed class DerivedTensorCacheTests
{
    [Fact]
    public void Get_DerivesOnce_ForTheSameSourceObjects()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor source = ones(3);
        using var cache = new DerivedTensorCache();
        int derived = 0;
        Tensor[] Derive()
        {
            derived++;
            return [source.mul(Of(2.0))];
        }
        Tensor first = cache.Get([source], Derive)[0];
        Tensor again = cache.Get([source], Derive)[0];
        Assert.Same(first, again);
        Assert.Equal(1, derived);
        Assert.Equal(2f, again[0].item<float>());
    }

    [Fact]
    public void Get_DerivesAgain_WhenASourceIsAnotherTensor_OrAfterClear()
    {
        using DisposeScope scope = NewDisposeScope();
        using var cache = new DerivedTensorCache();
        Tensor a = ones(3);
        Tensor b = a.clone();
        Tensor fromA = cache.Get([a, null], () => [a.add(Of(1.0), One)])[0];
        // An equal tensor, but another object (as after to()): derived anew, and the old value is disposed.
        Tensor fromB = cache.Get([b, null], () => [b.add(Of(2.0), One)])[0];
        Assert.True(fromA.IsInvalid);
        Assert.Equal(3f, fromB[0].item<float>());
        cache.Clear();
        Assert.True(fromB.IsInvalid);
        Tensor afterClear = cache.Get([b, null], () => [b.add(Of(3.0), One)])[0];
        Assert.Equal(4f, afterClear[0].item<float>());
    }

    [Fact]
    public void Get_KeepsTheValues_BeyondTheCallersDisposeScope()
    {
        using var cache = new DerivedTensorCache();
        using Tensor source = ones(2);
        Tensor value;
        using (NewDisposeScope())
        {
            value = cache.Get([source], () => [source.mul(Of(5.0))])[0];
        }
        Assert.False(value.IsInvalid);
        Assert.Equal(5f, value[1].item<float>());
    }
}
