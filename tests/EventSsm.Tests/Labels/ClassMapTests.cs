using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Tests.Labels;

public sealed class ClassMapTests
{
    private static readonly string[] s_three = ["pedestrian", "vehicle", "micromobility"];

    [Fact]
    public void Create_SeveralIdsToOneClass_NullDrops_OrderKept()
    {
        ClassMap map = ClassMap.Create(s_three, ["pedestrian", "vehicle", null, "vehicle", "micromobility"]);
        BoundingBox[] boxes = [new(1, 0, 0, 5, 5, 3), new(2, 0, 0, 5, 5, 2), new(3, 0, 0, 5, 5, 4), new(4, 0, 0, 5, 5, 0, 0.5f, 7)];

        BoundingBox[] mapped = map.Apply(boxes, "x.npy");

        Assert.Equal([new(1, 0, 0, 5, 5, 1), new(3, 0, 0, 5, 5, 2), new BoundingBox(4, 0, 0, 5, 5, 0, 0.5f, 7)], mapped);
        Assert.Equal(5, map.FileClassCount);
        Assert.False(map.IsIdentity);
        Assert.Null(map.Target(2));
        Assert.Equal(1, map.Target(3));
        Assert.Equal("0 → pedestrian, 1 → vehicle, 2 dropped, 3 → vehicle, 4 → micromobility", map.Describe());
    }

    [Fact]
    public void Identity_KeepsEveryBox()
    {
        ClassMap map = ClassMap.Identity(["car", "pedestrian"]);
        BoundingBox[] boxes = [new(1, 0, 0, 5, 5, 1), new(2, 0, 0, 5, 5, 0)];
        Assert.True(map.IsIdentity);
        Assert.Equal(boxes, map.Apply(boxes, null));
    }

    [Fact]
    public void Apply_AnIdPastTheMap_IsOneLineNamingFileAndRow()
    {
        ClassMap map = ClassMap.Create(["pedestrian", "two-wheeler", "car"], ["pedestrian", "two-wheeler", "car", null]);
        DataFormatException e = Assert.Throws<DataFormatException>(
            () => map.Apply([new(1, 0, 0, 5, 5, 3), new(2, 0, 0, 5, 5, 9)], "seq_bbox.npy"));
        Assert.Equal("seq_bbox.npy: row 1: class_id 9 is not a class id of this dataset's label files "
            + "(0..3: 0 → pedestrian, 1 → two-wheeler, 2 → car, 3 dropped)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(new[] { "car", "car" }, "class name 'car' appears twice")]
    [InlineData(new[] { "car", " " }, "class 1 has no name")]
    [InlineData(new string[0], "at least one class")]
    public void BadClassLists_Throw(string[] names, string message)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => ClassMap.Identity(names));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Create_MapToAMissingClass_OrAClassNothingMapsTo_Throws()
    {
        Assert.Contains("label-file class id 1 maps to 'truck', which is not one of the classes (car, pedestrian)",
            Assert.Throws<ArgumentException>(() => ClassMap.Create(["car", "pedestrian"], ["car", "truck"])).Message);
        Assert.Contains("no label-file class id maps to class 'pedestrian'",
            Assert.Throws<ArgumentException>(() => ClassMap.Create(["car", "pedestrian"], ["car", null])).Message);
    }
}
