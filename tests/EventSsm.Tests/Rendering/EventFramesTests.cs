using SkiaSharp;
using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Rendering;
using EventSsm.Tests.Events;
using EventSsm.Tests.Cli;

namespace EventSsm.Tests.Rendering;

public sealed class EventFramesTests
{
    [Fact]
    public void FromHistogram_ComparesOnAndOffSums()
    {
        const int h = 2;
        const int w = 2;
        var hist = new byte[20 * h * w];
        // pixel 0: ON 3 (over two bins) > OFF 2 → white; pixel 1: OFF 5 > ON 1 → black; 2: equal → grey; 3: empty → grey.
        hist[(10 * h * w) + 0] = 1;
        hist[(19 * h * w) + 0] = 2;
        hist[(0 * h * w) + 0] = 2;
        hist[(9 * h * w) + 1] = 5;
        hist[(15 * h * w) + 1] = 1;
        hist[(3 * h * w) + 2] = 4;
        hist[(13 * h * w) + 2] = 4;
        RgbImage img = EventFrames.FromHistogram(hist, 20, h, w);
        Assert.Equal(Rgb.White, img[0, 0]);
        Assert.Equal(Rgb.Black, img[1, 0]);
        Assert.Equal(Rgb.Grey, img[0, 1]);
        Assert.Equal(Rgb.Grey, img[1, 1]);
    }

    [Fact]
    public void FromEvents_LastEventWins()
    {
        EventArray ev = new([1, 1, 2, 0], [0, 0, 1, 1], [1, 0, 1, 0], [1, 2, 3, 4], 3, 2);
        RgbImage binary = EventFrames.FromEvents(ev, 0, 3);
        Assert.Equal(Rgb.Black, binary[1, 0]);
        Assert.Equal(Rgb.White, binary[2, 1]);
        Assert.Equal(Rgb.Grey, binary[0, 1]); // event 3 is outside [0, 3)
        RgbImage color = EventFrames.FromEvents(ev, 0, 4, EventColoring.Polarity);
        Assert.Equal(EventFrames.OffColor, color[0, 1]);
        Assert.Equal(EventFrames.OnColor, color[2, 1]);
        Assert.Equal(Rgb.Black, color[0, 0]);
    }

    [Fact]
    public void Video_FromAReader_EqualsVideoFromTheLoadedRecording()
    {
        // The streamed path (bounded memory) must draw exactly what the in-memory path draws.
        string path = EventSsm.Tests.Events.GoldenEvents.DatPath;
        EventArray all = EventRecording.ReadAll(path);
        BoundingBox[] labels = [new(100_000, 30, 40, 60, 50, 0), new(150_000, 100, 20, 30, 70, 1)];
        var options = new RenderOptions { StepUs = 25_000, WindowUs = 50_000, MaxFrames = 12 };
        RgbImage[] expected = EventVideo.Frames(all, labels, labels, options).ToArray();
        using IEventReader reader = EventRecording.Open(path);
        RgbImage[] streamed = EventVideo.Frames(reader, labels, labels, options).ToArray();
        Assert.Equal(12, expected.Length);
        Assert.Equal(expected.Length, streamed.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Pixels, streamed[i].Pixels);
        }
        Assert.All(expected, f => Assert.True(f.Pixels.Count(b => b != 127) > 300)); // every window has events drawn
    }

    [Fact]
    public void Video_ShowsLabelsForOneStepAndEventsOfTheClosedWindow()
    {
        // Events at exactly T−dt and T are both in the window [T−dt, T] (docs/DATA.md §2.4).
        EventArray ev = new([0, 1, 2], [0, 0, 0], [1, 1, 1], [49_999, 50_000, 100_000], 40, 30);
        BoundingBox[] labels = [new(50_000, 5, 5, 20, 10, 1)];
        RgbImage[] frames = EventVideo.Frames(ev, labels, null, new RenderOptions()).ToArray();
        Assert.Equal(2, frames.Length);
        Rgb ped = ClassStyle.Gen1.Color(1);
        Assert.Equal(ped, frames[0][5, 10]);
        Assert.Equal(Rgb.Grey, frames[1][5, 10]); // the label is one step old at T = 100 ms
        Assert.Equal(Rgb.White, frames[0][0, 0]);
        Assert.Equal(Rgb.White, frames[1][1, 0]);
        Assert.Equal(Rgb.White, frames[1][2, 0]);
        Assert.Equal(Rgb.Grey, frames[1][0, 0]);
    }

    [Fact]
    public void Png_DecodesWithSkiaSharp_AndBoxesAreAtTheScaledPixels()
    {
        EventArray ev = new([3], [4], [1], [10_000], 50, 40);
        BoundingBox[] gt = [new(50_000, 10, 15, 20, 12, 0)];
        BoundingBox[] pred = [new(50_000, 12, 16, 20, 12, 1, 0.75f)];
        RgbImage frame = EventVideo.Frame(ev, gt, pred, 50_000, new RenderOptions { Scale = 3 });
        Assert.Equal((2 * 150 + 2, 120 + EventVideo.LegendHeight(3)), (frame.Width, frame.Height));
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("f.png");
        PngFile.Write(path, frame);
        using SKBitmap bmp = SKBitmap.Decode(path);
        Assert.Equal((frame.Width, frame.Height), (bmp.Width, bmp.Height));
        Rgb car = ClassStyle.Gen1.Color(0);
        Rgb ped = ClassStyle.Gen1.Color(1);
        // GT panel: left edge x = 10·3, bottom edge y = (15+12)·3 − 1; the event pixel (3, 4) → (9..11, 12..14).
        Assert.Equal(new SKColor(car.R, car.G, car.B), bmp.GetPixel(30, 60));
        Assert.Equal(new SKColor(car.R, car.G, car.B), bmp.GetPixel(45, 80));
        Assert.Equal(SKColors.White, bmp.GetPixel(10, 13));
        // Prediction panel starts at x = 152.
        Assert.Equal(new SKColor(ped.R, ped.G, ped.B), bmp.GetPixel(152 + 36, 60));
        Assert.Equal(SKColors.White, bmp.GetPixel(152 + 10, 13));
        Assert.Equal(new SKColor(127, 127, 127), bmp.GetPixel(30 + 10, 60));
    }

    [Fact]
    public void RenderCommand_WritesGifAndPngFrames()
    {
        using TempDir dir = Fixtures.TempDir();
        string root = dir.File("data");
        CliRunner.Run(["synth", root, "--sequences", "3", "--seconds", "0.3", "--width", "80", "--height", "60"]);
        string dat = Path.Combine(root, "train", "synth_0000_td.dat");
        string npy = Path.Combine(root, "train", "synth_0000_bbox.npy");
        string gif = dir.File("out.gif");
        CliRunner.Run(["render", dat, "--labels", npy, "--pred", npy, "--out", gif, "--scale", "1"]);
        using SKCodec codec = SKCodec.Create(gif);
        Assert.Equal(6, codec.FrameCount); // window ends 50..300 ms
        Assert.Equal((2 * 80 + 2, 60 + EventVideo.LegendHeight(1)), (codec.Info.Width, codec.Info.Height));
        string pngs = dir.File("png");
        CliRunner.Run(["render", dat, "--out", pngs, "--step-ms", "100", "--scale", "2"]);
        Assert.Equal(new[] { "000000.png", "000001.png", "000002.png" }, Directory.GetFiles(pngs).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }
}
