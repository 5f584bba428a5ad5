using EventSsm.Rendering;

namespace EventSsm.Tests.Rendering;

public sealed class ClassStyleTests
{
    [Fact]
    public void ForNames_Gen1AndGen4_AreTheOriginalsColours()
    {
        Assert.Equal(ClassStyle.Gen1.Colors, ClassStyle.ForNames(ClassStyle.Gen1.Names).Colors);
        Assert.Equal(ClassStyle.Gen4.Colors, ClassStyle.ForNames(ClassStyle.Gen4.Names).Colors);
    }

    [Fact]
    public void ForNames_EightClasses_DistinctColours_KnownNamesKeepTheirs()
    {
        string[] dsec = ["pedestrian", "rider", "car", "bus", "truck", "bicycle", "motorcycle", "train"];
        ClassStyle style = ClassStyle.ForNames(dsec);
        Assert.Equal(dsec, style.Names);
        Assert.Equal(8, style.Colors.Distinct().Count());
        Assert.Equal(ClassStyle.Gen1.Color(1), style.Color(0)); // pedestrian blue
        Assert.Equal(ClassStyle.Gen1.Color(0), style.Color(2)); // car yellow
        Assert.Equal("truck", style.Name(4));
    }
}
