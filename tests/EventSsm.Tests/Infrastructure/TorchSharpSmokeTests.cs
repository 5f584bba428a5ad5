using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Infrastructure;

public sealed class TorchSharpSmokeTests
{
    [Fact]
    public void NativeLibraryLoads_AndMatmulIsCorrect()
    {
        using Tensor a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using Tensor b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using Tensor c = a.matmul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void ComplexExponential_IsCorrect()
    {
        using Tensor z = complex(tensor(new float[] { 1f }), tensor(new float[] { 1f }));
        using Tensor e = z.exp();
        using Tensor r = view_as_real(e);
        float[] v = r.data<float>().ToArray();
        Assert.Equal(1.4686939f, v[0], 5);
        Assert.Equal(2.2873553f, v[1], 5);
    }
}
