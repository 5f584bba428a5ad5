using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Rendering;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EventSsm.Tests.Rendering;

/// <summary>Clean renders: tags never pile up, the display threshold, dashed ground truth, the legend bar.</summary>
public sealed class BoxPainterTests
{
    [Property(MaxTest = 100)]
    public Property PlacedTags_NeverOverlap_AndStayInTheImage(int seed)
    {
        var random = new Random(seed);
        var placed = new List<(int X, int Y, int W, int H)>();
        for (int i = 0; i < 12; i++)
        {
            int x0 = random.Next(0, 300);
            int y0 = random.Next(0, 230);
            (int X0, int Y0, int X1, int Y1) box = (x0, y0, x0 + random.Next(1, 60), y0 + random.Next(1, 60));
            if (BoxPainter.PlaceTag(box, random.Next(10, 120), 9, 304, 240, placed) is { } tag)
            {
                placed.Add(tag);
            }
        }
        bool disjoint = placed.SelectMany((a, i) => placed.Skip(i + 1), (a, b) =>
            a.X >= b.X + b.W || b.X >= a.X + a.W || a.Y >= b.Y + b.H || b.Y >= a.Y + a.H).All(x => x);
        bool inside = placed.All(t => t.X >= 0 && t.Y >= 0 && t.X + t.W <= 304 && t.Y + t.H <= 240);
        return (disjoint && inside).ToProperty();
    }

    [Fact]
    public void ManyBoxesOnOneCar_GetOneTagEach_WithoutPilingUp()
    {
        var image = new RgbImage(304, 240);
        BoundingBox[] boxes = Enumerable.Range(0, 6).Select(i => new BoundingBox(0, 100 + i, 100 + i, 60, 40, (uint)(i % 2), 0.9f - 0.1f * i)).ToArray();
        BoxPainter.Draw(image, boxes, ClassStyle.Gen1, showScore: true);
        // Tag rows are 9 px high: the six tags occupy six distinct bands (above, below, inside, further down…).
        int[] tagRows = Enumerable.Range(0, 240).Where(y => image[100, y] == ClassStyle.Gen1.Color(0) || image[100, y] == ClassStyle.Gen1.Color(1)).ToArray();
        Assert.True(tagRows.Length >= 6 * 9 - 9, $"only {tagRows.Length} tag rows");
    }

    [Fact]
    public void DisplayThreshold_HidesLowScores_AndTheLegendShowsTimeAndClasses()
    {
        EventArray ev = new([1], [1], [1], [40_000], 200, 60);
        BoundingBox[] pred = [new(50_000, 10, 10, 20, 20, 0, 0.6f), new(50_000, 40, 10, 20, 20, 1, 0.2f)];
        var options = new RenderOptions { Scale = 0, MinConfidence = 0.3 };
        RgbImage frame = EventVideo.Frame(ev, null, pred, 50_000, options);
        // Auto scale: 2× for a 200 px sensor, plus the legend bar.
        Assert.Equal((400, 120 + EventVideo.LegendHeight(2)), (frame.Width, frame.Height));
        Assert.Equal(ClassStyle.Gen1.Color(0), frame[20, 50]);            // left edge of the 0.6 car
        Assert.Equal(Rgb.Grey, frame[80, 50]);                             // the 0.2 pedestrian is not drawn
        RgbImage all = EventVideo.Frame(ev, null, pred, 50_000, options with { MinConfidence = 0.1 });
        Assert.Equal(ClassStyle.Gen1.Color(1), all[80, 50]);
        // The bar: black, white text of the time on the left, a swatch of each class colour on the right.
        int barTop = 120;
        Assert.Equal(Rgb.Black, frame[0, barTop]);
        Assert.Contains(Enumerable.Range(0, 60), x => frame[x, barTop + 6] == Rgb.White);
        Assert.Contains(Enumerable.Range(180, 220), x => frame[x, barTop + 6] == ClassStyle.Gen1.Color(0));
        Assert.Contains(Enumerable.Range(180, 220), x => frame[x, barTop + 6] == ClassStyle.Gen1.Color(1));
    }

    [Fact]
    public void OverlayLayout_DrawsGroundTruthDashed_UnderThePredictions()
    {
        EventArray ev = new([1], [1], [1], [40_000], 80, 60);
        BoundingBox[] gt = [new(50_000, 10, 10, 30, 30, 1)];
        BoundingBox[] pred = [new(50_000, 45, 10, 20, 20, 0, 0.9f)];
        RgbImage frame = EventVideo.Frame(ev, gt, pred, 50_000, new RenderOptions { Scale = 2, Layout = PanelLayout.Overlay, Legend = false });
        Assert.Equal((160, 120), (frame.Width, frame.Height));
        Rgb ped = ClassStyle.Gen1.Color(1);
        // Left edge x = 20: dashes of 6 px from the corner y = 20, then a 6 px gap.
        Assert.Equal(ped, frame[20, 22]);
        Assert.Equal(Rgb.Grey, frame[20, 28]);
        Assert.Equal(ped, frame[20, 34]);
        Assert.Equal(ClassStyle.Gen1.Color(0), frame[90, 40]);             // the prediction, solid
    }
}
