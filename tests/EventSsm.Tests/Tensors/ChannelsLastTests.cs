using TorchSharp;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Tests.Tensors;

/// <summary>Channels-last copies of convolution weights (docs/MODEL.md §11.1).</summary>
public sealed class ChannelsLastTests
{
    [Fact]
    public void Weight_KeepsTheValues_InChannelsLastMemory_AndTheConvolutionIsBitIdentical()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor w = randn([16, 8, 3, 3], generator: new Generator(1));
        Tensor cl = ChannelsLast.Weight(w);
        Assert.Equal(w.shape, cl.shape);
        Assert.True(w.eq(cl).all().item<bool>());
        // (O, I, kh, kw) with OHWI memory: the input channel is the innermost.
        Assert.Equal([72L, 1L, 24L, 8L], cl.stride());
        // NHWC input, as the detector's convolutions run.
        Tensor x = randn([2, 12, 10, 8], generator: new Generator(2)).permute(0, 3, 1, 2);
        Tensor fromOihw = nn.functional.conv2d(x, w, padding: [1, 1]);
        Tensor fromOhwi = nn.functional.conv2d(x, cl, padding: [1, 1]);
        Assert.True(fromOihw.eq(fromOhwi).all().item<bool>());
    }

    [Fact]
    public void Weight_OfAOneByOneKernel_IsTheSameMemory()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor w = randn([16, 8, 1, 1], generator: new Generator(3));
        Tensor cl = ChannelsLast.Weight(w);
        Assert.Equal(w.stride(), cl.stride());
        // A write through the original shows in the result: no copy was made.
        w.add_(Of(1.0), One);
        Assert.True(w.eq(cl).all().item<bool>());
    }

    [Fact]
    public void Weight_RejectsATensorThatIsNotFourDimensional()
    {
        using Tensor w = zeros(16, 8);
        ArgumentException e = Assert.Throws<ArgumentException>(() => ChannelsLast.Weight(w));
        Assert.Contains("4 dimensions, got 2", e.Message);
    }
}
