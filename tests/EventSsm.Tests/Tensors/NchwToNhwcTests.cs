using System.Runtime.InteropServices;
using EventSsm.Tensors;
using FsCheck.Xunit;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tests.Tensors;

/// <summary>The blocked (C, H, W) → (H', W', C) copy behind the channels-last input (docs/MODEL.md §11.1).</summary>
public sealed class NchwToNhwcTests
{
    // The stem's 20 channels (two 8-channel blocks and a 4-channel one) on Gen1's sizes, padded as the detector pads;
    // channel counts with every remainder after the 8- and 4-channel blocks; widths that are no multiple of 8.
    [Theory]
    [InlineData(1, 20, 240, 304, 256, 320)]
    [InlineData(2, 20, 16, 24, 16, 24)]
    [InlineData(3, 13, 7, 17, 9, 17)]
    [InlineData(1, 1, 4, 9, 6, 12)]
    [InlineData(1, 4, 3, 8, 3, 8)]
    [InlineData(2, 7, 2, 3, 2, 3)]
    [InlineData(1, 8, 8, 16, 8, 16)]
    [InlineData(1, 3, 0, 5, 2, 5)]
    public void Copy_IsLibtorchsPadAndPermute_BitForBit(int frames, int channels, int height, int width, int paddedHeight, int paddedWidth)
    {
        Assert.True(CopyMatchesLibtorch(frames, channels, height, width, paddedHeight, paddedWidth, seed: 1));
    }

    [Property(MaxTest = 60)]
    public bool Copy_IsLibtorchsPadAndPermute_ForAnySize(byte frames, byte channels, byte height, byte width, byte padding, int seed) =>
        CopyMatchesLibtorch(frames % 3 + 1, channels % 23 + 1, height % 9, width % 27, height % 9 + padding % 3,
            width % 27 + padding / 3 % 4, seed);

    [Fact]
    public void Copy_RejectsSpansOfTheWrongLength_NamingBothSizes()
    {
        var shape = new NchwToNhwc.Shape(1, 20, 4, 8, 4, 8);
        ArgumentException e = Assert.Throws<ArgumentException>(() => NchwToNhwc.Copy(new float[639], new float[640], shape));
        Assert.Contains("need 640 source and 640 destination values, got 639 and 640", e.Message);
    }

    [Fact]
    public void Shape_RejectsPaddingSmallerThanTheFrame()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NchwToNhwc.Shape(1, 20, 8, 8, 7, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NchwToNhwc.Shape(1, 0, 8, 8, 8, 8));
    }

    private static bool CopyMatchesLibtorch(int frames, int channels, int height, int width, int paddedHeight, int paddedWidth, int seed)
    {
        float[] source = Values(frames * channels * height * width, seed);
        var actual = new float[frames * paddedHeight * paddedWidth * channels];
        new Random(seed).NextBytes(MemoryMarshal.AsBytes(actual.AsSpan()));   // every value must be written
        NchwToNhwc.Copy(source, actual, new NchwToNhwc.Shape(frames, channels, height, width, paddedHeight, paddedWidth));

        using DisposeScope scope = NewDisposeScope();
        Tensor x = tensor(source, [frames, channels, height, width]);
        Tensor expected = nn.functional.pad(x, [0, paddedWidth - width, 0, paddedHeight - height]).permute(0, 2, 3, 1).contiguous();
        return MemoryMarshal.Cast<byte, int>(expected.bytes).SequenceEqual(MemoryMarshal.Cast<float, int>(actual));
    }

    // Random values with a NaN, an infinity and a negative zero among them: a copy keeps every bit.
    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        float[] values = [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 8 - 4))];
        float[] special = [float.NaN, float.NegativeInfinity, -0f];
        for (int i = 0; i < Math.Min(count, special.Length); i++)
        {
            values[random.Next(count)] = special[i];
        }
        return values;
    }
}
