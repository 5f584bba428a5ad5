using EventSsm.Events;
using EventSsm.Rendering;
using EventSsm.Synthetic;
using EventSsm.Tests.Cli;

namespace EventSsm.Tests.Synthetic;

public sealed class VideoToEventsTests
{
    /// <summary>A white 8×8 square moving 4 px right per frame over grey.</summary>
    private static RgbImage[] MovingSquare()
    {
        var frames = new RgbImage[5];
        for (int k = 0; k < frames.Length; k++)
        {
            frames[k] = new RgbImage(40, 20);
            frames[k].Fill(Rgb.Grey);
            frames[k].FillRect(5 + 4 * k, 6, 13 + 4 * k, 14, Rgb.White);
        }
        return frames;
    }

    private static readonly EventCameraOptions s_options = new() { NoiseRateHz = 0, HotPixels = 0 };

    [Fact]
    public void GifAndPngFolder_GiveTheSameEvents_AtTheSquaresEdges()
    {
        using TempDir dir = Fixtures.TempDir();
        RgbImage[] frames = MovingSquare();
        string gif = dir.File("square.gif");
        GifWriter.WriteFile(gif, frames, 5); // 50 ms per frame
        string folder = dir.File("png");
        Directory.CreateDirectory(folder);
        for (int k = 0; k < frames.Length; k++)
        {
            PngFile.Write(Path.Combine(folder, $"f{k:D3}.png"), frames[k]);
        }
        EventArray fromGif = VideoToEvents.Convert(VideoToEvents.ReadFrames(gif), s_options, 1);
        EventArray fromPng = VideoToEvents.Convert(VideoToEvents.ReadFrames(folder, fps: 20), s_options, 1);
        Assert.Equal((40, 20), (fromGif.Width, fromGif.Height));
        Assert.True(fromGif.Count > 50, $"{fromGif.Count} events");
        Assert.Equal(fromGif.T.AsSpan(0, fromGif.Count).ToArray(), fromPng.T.AsSpan(0, fromPng.Count).ToArray());
        Assert.Equal(fromGif.X.AsSpan(0, fromGif.Count).ToArray(), fromPng.X.AsSpan(0, fromPng.Count).ToArray());
        for (int i = 0; i < fromGif.Count; i++)
        {
            // Frame k → k+1 brightens columns 13+4k..16+4k (ON) and darkens 5+4k..8+4k (OFF), rows 6..13.
            int step = (int)((fromGif.T[i] - 1) / 50_000);
            Assert.InRange(fromGif.T[i], 1, 200_000);
            Assert.InRange(fromGif.Y[i], 6, 13);
            if (fromGif.P[i] == 1)
            {
                Assert.InRange(fromGif.X[i], 13 + 4 * step, 16 + 4 * step);
            }
            else
            {
                Assert.InRange(fromGif.X[i], 5 + 4 * step, 8 + 4 * step);
            }
        }
    }

    [Fact]
    public void Video2EventsCommand_WritesADatFile()
    {
        using TempDir dir = Fixtures.TempDir();
        string gif = dir.File("square.gif");
        GifWriter.WriteFile(gif, MovingSquare(), 5);
        string dat = dir.File("out.dat");
        CliRunner.Run(["video2events", gif, dat, "--fps", "100"]);
        EventArray ev = DatFile.ReadAll(dat);
        Assert.True(ev.Count > 50);
        Assert.True(ev.T[ev.Count - 1] <= 40_000);
    }

    [Fact]
    public void EmptyFolder_IsReportedWithItsName()
    {
        using TempDir dir = Fixtures.TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => VideoToEvents.ReadFrames(dir.Path).ToList());
        Assert.Contains(dir.Path, e.Message);
    }
}
