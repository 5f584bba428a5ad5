using EventSsm.Tensors;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Tests.Training;

public sealed class RecurrentStatesTests
{
    [Fact]
    public void FirstSampleRowsAreZeroed_OthersKept_AndStoredStatesAreDetached()
    {
        using var rs = new RecurrentStates();
        Assert.Null(rs.Get("stream", [false, false]));
        using (Tensor a = ones(2, 3, requires_grad: true))
        using (Tensor s = a.mul(Scalars.Of(2)))
        {
            rs.Set("stream", [s]);
        }
        Tensor[] got = rs.Get("stream", [true, false])!;
        Assert.False(got[0].requires_grad);
        Assert.Equal(new float[] { 0, 0, 0, 2, 2, 2 }, got[0].data<float>().ToArray());
        Assert.Null(rs.Get("other", [true, true]));
        Assert.Throws<InvalidOperationException>(() => rs.Get("stream", [true, false, true]));
    }
}
