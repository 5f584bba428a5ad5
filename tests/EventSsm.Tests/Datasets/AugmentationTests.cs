using FsCheck;
using FsCheck.Xunit;
using EventSsm.Datasets;

namespace EventSsm.Tests.Datasets;

public sealed class AugmentationTests
{
    private const int H = 24;
    private const int W = 32;

    [Fact]
    public void Flip_MovesPixelsAndBoxesConsistently()
    {
        byte[] frames = new byte[2 * H * W];
        frames[(5 * W) + 3] = 7;
        ObjectLabel[]?[] labels = [[new ObjectLabel(0, 3, 5, 1, 1, 0, 1)], null];
        Augmentation.Apply(new AugmentationParams(true, 1, 1, 0, 0), frames, 2, H, W, labels);
        Assert.Equal(7, frames[(5 * W) + (W - 1 - 3)]);
        Assert.Equal(W - 1 - 3 - 1, labels[0]![0].X);
        Assert.Null(labels[1]);
    }

    [Fact]
    public void ZoomIn_CropsAndScalesBack()
    {
        byte[] frames = new byte[H * W];
        // A 2×2 block at (x=10..11, y=6..7) inside a crop starting at (8, 4) with factor 2 → window 12×16.
        for (int y = 6; y < 8; y++)
        {
            for (int x = 10; x < 12; x++)
            {
                frames[(y * W) + x] = 1;
            }
        }
        ObjectLabel[]?[] labels = [[new ObjectLabel(0, 10, 6, 2, 2, 1, 1), new ObjectLabel(0, 30, 22, 1, 1, 0, 1)]];
        Augmentation.Apply(new AugmentationParams(false, 2, 1, 8, 4), frames, 1, H, W, labels);
        Assert.Equal(16, frames.Count(v => v == 1)); // 2×2 block doubled in each direction
        Assert.Equal(1, frames[(4 * W) + 4]);
        Assert.Equal(1, frames[(7 * W) + 7]);
        ObjectLabel l = Assert.Single(labels[0]!); // the box outside the window is dropped
        Assert.Equal((4f, 4f, 4f, 4f), (l.X, l.Y, l.W, l.H));
    }

    [Fact]
    public void ZoomOut_ShrinksAndPastes()
    {
        byte[] frames = Enumerable.Repeat((byte)1, H * W).ToArray();
        ObjectLabel[]?[] labels = [[new ObjectLabel(0, 0, 0, W, H, 0, 1)]];
        Augmentation.Apply(new AugmentationParams(false, 1, 2, 5, 3), frames, 1, H, W, labels);
        Assert.Equal((H / 2) * (W / 2), frames.Count(v => v == 1));
        Assert.Equal(1, frames[(3 * W) + 5]);
        Assert.Equal(0, frames[(2 * W) + 5]);
        Assert.Equal((5f, 3f, W / 2f, H / 2f), (labels[0]![0].X, labels[0]![0].Y, labels[0]![0].W, labels[0]![0].H));
    }

    [Theory]
    [InlineData(0, 4, 8, 0)]
    [InlineData(7, 4, 8, 3)]
    [InlineData(3, 10, 5, 7)]
    public void NearestExact_MatchesTorchFormula(int i, int inSize, int outSize, int expected)
    {
        Assert.Equal(expected, Augmentation.NearestExact(i, inSize, outSize));
    }

    [Property(MaxTest = 200)]
    public bool RandomDraws_KeepLabelsInsideTheFrame(int seed, PositiveInt bx, PositiveInt by)
    {
        var rng = new Random(seed);
        float x = bx.Get % (W - 4);
        float y = by.Get % (H - 4);
        var label = new ObjectLabel(0, x, y, 3, 3, 0, 1);
        AugmentationParams p = seed % 2 == 0
            ? Augmentation.SampleRandomAccess(rng, H, W, [label])
            : Augmentation.SampleStreaming(rng, H, W);
        byte[] frames = new byte[H * W];
        ObjectLabel[]?[] labels = [[label]];
        Augmentation.Apply(p, frames, 1, H, W, labels);
        return labels[0]!.All(l => l.X >= 0 && l.Y >= 0 && l.W > 0 && l.H > 0 && l.X + l.W <= W + 1e-3 && l.Y + l.H <= H + 1e-3);
    }
}
