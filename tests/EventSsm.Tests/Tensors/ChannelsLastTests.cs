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

    [Theory]
    [InlineData(new long[] { 2, 20, 6, 10 })]
    [InlineData(new long[] { 3, 2, 13, 5, 9 })]
    public void Copy_OfContiguousFrames_KeepsEveryValueInChannelsLastMemory(long[] shape)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x = randn(shape, generator: new Generator(4));
        Tensor cl = ChannelsLast.Copy(x);
        Assert.Equal(x.shape, cl.shape);
        Assert.True(x.eq(cl).all().item<bool>());
        int rank = shape.Length;
        long[] nhwc = [.. Enumerable.Range(0, rank - 3).Select(i => (long)i), rank - 2, rank - 1, rank - 3];
        Assert.True(cl.permute(nhwc).is_contiguous());
    }

    [Fact]
    public void Copy_OfATensorWithGradients_TakesLibtorchsCopy_AndTheGradientFlows()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x = randn([1, 20, 4, 8], generator: new Generator(5)).requires_grad_();
        Tensor cl = ChannelsLast.Copy(x);
        Assert.True(cl.permute(0, 2, 3, 1).is_contiguous());
        cl.mul(Of(3.0)).sum().backward();
        Assert.True(x.grad!.eq(Of(3.0)).all().item<bool>());
    }

    [Fact]
    public void Copy_OfOtherDtypesAndStrides_IsStillChannelsLastAndEqual()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor wide = randn([2, 20, 5, 9], generator: new Generator(6));
        foreach (Tensor x in new[] { wide.to(float64), wide[.., .., .., ..8], wide.to(ScalarType.Byte) })
        {
            Tensor cl = ChannelsLast.Copy(x);
            Assert.Equal(x.dtype, cl.dtype);
            Assert.True(cl.permute(0, 2, 3, 1).is_contiguous());
            Assert.True(x.eq(cl).all().item<bool>());
        }
    }

    [Fact]
    public void Copy_RejectsFewerThanThreeDimensions()
    {
        using Tensor x = zeros(4, 5);
        ArgumentException e = Assert.Throws<ArgumentException>(() => ChannelsLast.Copy(x));
        Assert.Contains("at least 3 dimensions", e.Message);
    }

    [Fact]
    public void PaddedFrames_EqualsInputPaddersPad_InChannelsLastMemory()
    {
        using DisposeScope scope = NewDisposeScope();
        var random = new Random(7);
        float[] values = [.. Enumerable.Range(0, 2 * 20 * 11 * 13).Select(_ => (float)random.Next(0, 9))];
        Tensor actual = ChannelsLast.PaddedFrames(values, 2, 20, 11, 13, 16, 16);
        Tensor expected = EventSsm.Model.InputPadder.Pad(tensor(values, [2, 1, 20, 11, 13]), 16, 16);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>());
        Assert.True(actual.permute(0, 1, 3, 4, 2).is_contiguous());
    }
}
