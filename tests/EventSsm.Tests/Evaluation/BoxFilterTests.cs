using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.Labels;

namespace EventSsm.Tests.Evaluation;

public sealed class BoxFilterTests
{
    [Theory]
    [InlineData("gen1", false, 30, 10)]
    [InlineData("gen1", true, 15, 5)]
    [InlineData("gen4", false, 60, 20)]
    [InlineData("gen4", true, 30, 10)]
    public void DatasetConfigs_GiveEvaluateListThresholds(string dataset, bool ds2, int diag, int side)
    {
        Assert.Equal(new BoxFilter(diag, side, BoxFilter.HalfSecondUs), TestDatasets.Named(dataset).EvaluationFilter(ds2));
    }

    [Fact]
    public void AtSensorResolution_HalvesByIntegerDivision_AndRejectsNegativeSizes()
    {
        Assert.Equal(new BoxFilter(7, 2, 100), BoxFilter.AtSensorResolution(15, 5, downsampledBy2: true, skipUs: 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => BoxFilter.AtSensorResolution(-1, 5, false));
    }

    [Fact]
    public void Keeps_TimeIsStrictlyAfterHalfSecond()
    {
        BoxFilter f = TestDatasets.Gen1.EvaluationFilter(false);
        Assert.False(f.Keeps(new BoundingBox(500_000, 0, 0, 40, 40, 0)));
        Assert.True(f.Keeps(new BoundingBox(500_001, 0, 0, 40, 40, 0)));
    }

    [Fact]
    public void Keeps_DiagonalAndSidesInFloat32()
    {
        BoxFilter f = TestDatasets.Gen1.EvaluationFilter(false);
        Assert.True(f.Keeps(new BoundingBox(1_000_000, 0, 0, 18, 24, 0)));      // 18² + 24² = 900 exactly
        Assert.False(f.Keeps(new BoundingBox(1_000_000, 0, 0, 17.99f, 24, 0)));
        Assert.True(f.Keeps(new BoundingBox(1_000_000, 0, 0, 10, 40, 0)));
        Assert.False(f.Keeps(new BoundingBox(1_000_000, 0, 0, 9.99f, 40, 0)));
        Assert.False(f.Keeps(new BoundingBox(1_000_000, 0, 0, float.NaN, 40, 0)));
    }

    [Fact]
    public void Apply_KeepsOrder()
    {
        BoundingBox[] boxes =
        [
            new(600_000, 3, 0, 40, 40, 1), new(600_000, 1, 0, 5, 40, 0), new(600_000, 2, 0, 40, 40, 0),
        ];
        BoundingBox[] kept = TestDatasets.Gen1.EvaluationFilter(false).Apply(boxes);
        Assert.Equal([boxes[0], boxes[2]], kept);
    }
}
