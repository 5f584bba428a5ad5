using EventSsm.Representations;

namespace EventSsm.Tests.Representations;

public sealed class NearestExactDownsampleTests
{
    [Theory]
    [InlineData(4, 6)]
    [InlineData(5, 7)]
    public void Half_TakesOddRowsAndColumns(int h, int w)
    {
        int[] src = Enumerable.Range(0, 2 * h * w).ToArray();
        int oh = h / 2;
        int ow = w / 2;
        var dst = new int[2 * oh * ow];
        NearestExactDownsample.Half<int>(src, 2, h, w, dst);
        for (int c = 0; c < 2; c++)
        {
            for (int i = 0; i < oh; i++)
            {
                for (int j = 0; j < ow; j++)
                {
                    Assert.Equal((c * h + 2 * i + 1) * w + 2 * j + 1, dst[(c * oh + i) * ow + j]);
                }
            }
        }
    }
}
