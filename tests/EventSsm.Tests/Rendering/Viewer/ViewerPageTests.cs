using EventSsm.Evaluation;
using EventSsm.Labels;
using EventSsm.Rendering;
using EventSsm.Rendering.Viewer;
using WaitForFunctionOptions = PuppeteerSharp.WaitForFunctionOptions;

namespace EventSsm.Tests.Rendering.Viewer;

/// <summary>
/// The viewer page in a real browser: a hand-made page with known events and boxes is stepped to known frames, and
/// the canvas pixels at the box edges, the slider and the toggles are checked against the data.
/// </summary>
public sealed class ViewerPageTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    private const int Width = 160;
    private const int Height = 120;
    private static readonly Rgb s_car = ClassStyle.Gen1.Colors[0];
    private static readonly Rgb s_pedestrian = ClassStyle.Gen1.Colors[1];

    /// <summary>
    /// Three frames (window ends 50, 100, 150 ms). Frame 2 has an ON event at (10, 100) and an OFF event at (12, 100),
    /// three predictions (scores 0.9, 0.4, 0.2) and one ground-truth pedestrian; frame 1 one prediction.
    /// </summary>
    private static ViewerDocument Sample(ViewerOptions? options = null)
    {
        var doc = new ViewerDocument("sample </script> & co", Width, Height, options);
        for (int i = 0; i < 3; i++)
        {
            byte[] plane = new byte[Width * Height];
            if (i == 2)
            {
                plane[100 * Width + 10] = EventFrames.On;
                plane[100 * Width + 12] = EventFrames.Off;
            }
            doc.AddFrame(50_000 * (i + 1), plane);
        }
        doc.SetPredictions(
        [
            new BoundingBox(100_000, 70, 20, 20, 20, 0, 0.95f),
            new BoundingBox(150_000, 20, 30, 40, 20, 0, 0.9f),
            new BoundingBox(150_000, 100, 20, 20, 50, 1, 0.4f),
            new BoundingBox(150_000, 90, 80, 30, 20, 0, 0.2f),
        ]);
        doc.SetLabels([new BoundingBox(140_000, 60, 60, 20, 30, 1)]);
        return doc;
    }

    private static async Task<ViewerTab> OpenAsync(HeadlessChromium chromium, TempDir tmp, ViewerDocument doc)
    {
        string path = tmp.File("view.html");
        doc.Write(path);
        ViewerTab tab = await chromium.OpenAsync(path);
        await tab.Page.SelectAsync("#zoom", "2");
        await tab.RenderedAsync();
        return tab;
    }

    [Fact]
    public async Task SteppingWithTheKeyboard_DrawsEventsAndBoxesWhereTheDataSays()
    {
        using TempDir tmp = Fixtures.TempDir();
        await using ViewerTab tab = await OpenAsync(chromium, tmp, Sample());
        Assert.Equal((0, 0, 0), await tab.DrawnAsync());
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(20, 200));

        await tab.PressAsync("ArrowRight");
        Assert.Equal(1, await tab.EvalAsync<int>("window.eventssmViewer.state.frame"));
        Assert.Equal((1, 0, 1), await tab.DrawnAsync());
        Assert.Equal(s_car, await tab.PixelAsync(140, 60));          // left edge of the 0.95 car at 2×

        await tab.PressAsync("ArrowRight");
        Assert.Equal((2, 1, 2), await tab.DrawnAsync());              // 0.2 is under the 0.3 default
        Assert.Equal(Rgb.White, await tab.PixelAsync(20, 200));       // ON event at (10, 100)
        Assert.Equal(Rgb.Black, await tab.PixelAsync(25, 201));       // OFF event at (12, 100)
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(30, 200));
        // Car (20, 30, 40, 20) → pixels [40, 119] × [60, 99], edges 2 px thick.
        Assert.Equal(s_car, await tab.PixelAsync(40, 80));
        Assert.Equal(s_car, await tab.PixelAsync(41, 80));
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(44, 80));
        Assert.Equal(s_car, await tab.PixelAsync(119, 80));
        Assert.Equal(s_car, await tab.PixelAsync(80, 99));
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(80, 102));
        // Pedestrian 0.4 (100, 20, 20, 50) → left edge x = 200.
        Assert.Equal(s_pedestrian, await tab.PixelAsync(200, 90));
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(180, 180));        // the 0.2 car is hidden
        // Ground truth (60, 60, 20, 30) → [120, 159] × [120, 179], dashed: 6 px on, 6 px off from each corner.
        Assert.Equal(s_pedestrian, await tab.PixelAsync(120, 120));
        Assert.Equal(s_pedestrian, await tab.PixelAsync(120, 124));
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(120, 128));
        Assert.Equal(s_pedestrian, await tab.PixelAsync(159, 179));

        Assert.Contains("0.150 s", await tab.EvalAsync<string>("document.getElementById('time').textContent"));
        Assert.Contains("2 predicted, 1 labelled", await tab.EvalAsync<string>("document.getElementById('box-count').textContent"));
        await tab.PressAsync("Home");
        Assert.Equal(0, await tab.EvalAsync<int>("window.eventssmViewer.state.frame"));
        await tab.PressAsync("End");
        Assert.Equal(2, await tab.EvalAsync<int>("window.eventssmViewer.state.frame"));
        Assert.Empty(tab.Errors);

        // view.html#frame=2 opens at the second frame (1-based), with its boxes drawn.
        await using ViewerTab linked = await chromium.OpenAsync(tmp.File("view.html"), fragment: "#frame=2");
        Assert.Equal(1, await linked.EvalAsync<int>("window.eventssmViewer.state.frame"));
        Assert.Equal((1, 0, 1), await linked.DrawnAsync());
        Assert.Empty(linked.Errors);
    }

    [Fact]
    public async Task ConfidenceSliderAndToggles_ChangeTheBoxesDrawn()
    {
        using TempDir tmp = Fixtures.TempDir();
        await using ViewerTab tab = await OpenAsync(chromium, tmp, Sample());
        await tab.SetRangeAsync("timeline", 2);
        Assert.Equal((2, 1, 2), await tab.DrawnAsync());

        await tab.SetRangeAsync("conf", 0.1);
        Assert.Equal((3, 1, 3), await tab.DrawnAsync());
        Assert.Equal(s_car, await tab.PixelAsync(180, 180));           // the 0.2 car appears
        Assert.Equal("0.10", await tab.EvalAsync<string>("document.getElementById('conf-value').textContent"));

        await tab.SetRangeAsync("conf", 0.5);
        Assert.Equal((1, 1, 1), await tab.DrawnAsync());
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(200, 90));         // the 0.4 pedestrian goes
        Assert.Equal(s_car, await tab.PixelAsync(40, 80));

        await tab.PressAsync("[");                                      // 0.45: still only the 0.9 car
        Assert.Equal(1, (await tab.DrawnAsync()).Pred);
        await tab.PressAsync("p");
        Assert.Equal((0, 1, 0), await tab.DrawnAsync());
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(40, 80));
        await tab.PressAsync("g");
        Assert.Equal((0, 0, 0), await tab.DrawnAsync());
        Assert.Equal(Rgb.Grey, await tab.PixelAsync(120, 120));
        await tab.Page.ClickAsync("#show-pred");
        await tab.RenderedAsync();
        Assert.Equal((1, 0, 1), await tab.DrawnAsync());
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task PlayButton_AdvancesFramesInRealTime_AndColouringSwitches()
    {
        using TempDir tmp = Fixtures.TempDir();
        await using ViewerTab tab = await OpenAsync(chromium, tmp, Sample());
        await tab.Page.ClickAsync("#play");
        await tab.Page.WaitForFunctionAsync("() => window.eventssmViewer.state.frame === 2 && !window.eventssmViewer.state.playing",
            new WaitForFunctionOptions { Timeout = 5000 });
        await tab.RenderedAsync();
        Assert.Contains("Play", await tab.EvalAsync<string>("document.getElementById('play').textContent"));

        await tab.PressAsync("c");
        Assert.Equal(EventFrames.OnColor, await tab.PixelAsync(20, 200));
        Assert.Equal(EventFrames.OffColor, await tab.PixelAsync(25, 201));
        Assert.Equal(Rgb.Black, await tab.PixelAsync(30, 200));
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task MetricsAndTitle_AreShownAsGiven()
    {
        using TempDir tmp = Fixtures.TempDir();
        ViewerDocument doc = Sample();
        doc.Metrics = DetectionMetrics.FromStats([0.5, 0.75, 0.25, -1, 0.4, 0.6, 0.1, 0.2, 0.3, -1, 0.5, 0.7],
            new Dictionary<string, double> { ["car"] = 0.625, ["pedestrian"] = 0.375 });
        doc.MetricsProtocol = "test protocol";
        await using ViewerTab tab = await OpenAsync(chromium, tmp, doc);
        Assert.Equal("0.500", await tab.EvalAsync<string>("document.getElementById('metric-AP').textContent"));
        Assert.Equal("0.750", await tab.EvalAsync<string>("document.getElementById('metric-AP50').textContent"));
        string metrics = await tab.EvalAsync<string>("document.getElementById('metrics').textContent");
        Assert.Contains("car0.625", metrics);
        Assert.Contains("pedestrian0.375", metrics);
        Assert.Contains("test protocol", metrics);
        // The title went through HTML and JSON escaping: the page shows it verbatim and did not break.
        Assert.Equal("sample </script> & co", await tab.EvalAsync<string>("document.getElementById('title').textContent"));
        Assert.Equal("sample </script> & co", await tab.EvalAsync<string>("window.eventssmViewer.data.title"));
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task RepresentationView_ShowsTheBinsOfTheNearestStoredFrame()
    {
        using TempDir tmp = Fixtures.TempDir();
        ViewerDocument doc = Sample();
        var layout = new RepresentationLayout("test bins", 2, Height, Width, 10);
        doc.SetRepresentationLayout(layout);
        byte[] hist = new byte[layout.Bytes];
        hist[5 * Width + 5] = 10;                                       // channel 0: OFF, bin 0, count at the cutoff
        hist[(3 * Height + 5) * Width + 7] = 1;                          // channel 3: ON, bin 1, one event
        doc.AddRepresentation(2, hist);
        await using ViewerTab tab = await OpenAsync(chromium, tmp, doc);
        Assert.False(await tab.EvalAsync<bool>("document.getElementById('repr-panel').hidden"));
        await tab.PressAsync("End");
        // Tiles of 160×120 side by side (4 px apart) under a 16 px caption; OFF is red, ON blue.
        Assert.Equal(new Rgb(255, 0, 0), await tab.PixelAsync(5, 16 + 5, "repr"));
        Assert.Equal(new Rgb(0, 0, 90), await tab.PixelAsync(Width + 4 + 7, 16 + 5, "repr"));
        Assert.Equal(new Rgb(0, 0, 0), await tab.PixelAsync(6, 16 + 5, "repr"));
        Assert.Contains("Bins of this frame", await tab.EvalAsync<string>("document.getElementById('repr-note').textContent"));
        await tab.PressAsync("ArrowLeft");
        Assert.Contains("the nearest with bins", await tab.EvalAsync<string>("document.getElementById('repr-note').textContent"));
        Assert.Empty(tab.Errors);
    }
}
