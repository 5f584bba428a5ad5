using System.Diagnostics;
using EventSsm.Rendering;

namespace EventSsm.Tests.Rendering;

/// <summary>MP4 through the system's ffmpeg (installed by .ci/run), and the GIF fallback without it.</summary>
public sealed class RenderOutputTests
{
    private static RgbImage[] ColourFrames()
    {
        Rgb[] colours = [new(255, 0, 0), new(0, 200, 0), new(0, 0, 255)];
        return colours.Select(c =>
        {
            var f = new RgbImage(65, 47); // odd sizes: the writer pads to even
            f.Fill(c);
            return f;
        }).ToArray();
    }

    private static string Run(string exe, params string[] args)
    {
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        using Process p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return output;
    }

    [Fact]
    public void Mp4_IsH264_OneFramePerWindow_AtTheRealTimeRate()
    {
        string ffmpeg = Mp4Writer.FindFfmpeg() ?? throw new InvalidOperationException("ffmpeg is not on PATH: apt-get install ffmpeg (as .ci/run does)");
        using TempDir tmp = Fixtures.TempDir();
        string path = tmp.File("v.mp4");

        RenderedFile written = RenderOutput.Write(path, ColourFrames(), 50_000, RenderFormat.Mp4);

        Assert.Equal(new RenderedFile(path, RenderFormat.Mp4, 3), written);
        string ffprobe = Path.Combine(Path.GetDirectoryName(ffmpeg)!, "ffprobe");
        string probe = Run(ffprobe, "-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries", "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "default=noprint_wrappers=1", path);
        Assert.Contains("codec_name=h264", probe);
        Assert.Contains("width=66", probe);
        Assert.Contains("height=48", probe);
        Assert.Contains("r_frame_rate=20/1", probe);
        Assert.Contains("nb_read_frames=3", probe);
        // The second frame decodes to (about) its colour: H.264 is lossy, the colour is not.
        string raw = tmp.File("f.rgb");
        Run(ffmpeg, "-v", "error", "-i", path, "-vf", "select=eq(n\\,1)", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", raw);
        byte[] px = File.ReadAllBytes(raw);
        int centre = (24 * 66 + 33) * 3;
        Assert.InRange(px[centre], 0, 40);
        Assert.InRange(px[centre + 1], 160, 240);
        Assert.InRange(px[centre + 2], 0, 40);
        Assert.Empty(Directory.GetFiles(tmp.Path, ".*tmp"));
    }

    [Fact]
    public void Mp4_WithoutFfmpeg_SaysSo_AndWritesAGif()
    {
        using TempDir tmp = Fixtures.TempDir();
        var log = new List<string>();

        RenderedFile written = RenderOutput.WriteWith(tmp.File("v.mp4"), ColourFrames(), 50_000, RenderFormat.Mp4, log.Add, ffmpeg: null);

        Assert.Equal(new RenderedFile(tmp.File("v.gif"), RenderFormat.Gif, 3), written);
        Assert.Contains("ffmpeg is not on PATH", Assert.Single(log));
        Assert.Equal("GIF89a"u8.ToArray(), File.ReadAllBytes(tmp.File("v.gif"))[..6]);
        Assert.False(File.Exists(tmp.File("v.mp4")));
    }

    [Fact]
    public void Mp4_FfmpegFailure_IsOneLineNamingTheFile_AndLeavesNothing()
    {
        using TempDir tmp = Fixtures.TempDir();
        // /bin/false stands for an ffmpeg that rejects its input.
        IOException e = Assert.Throws<IOException>(() =>
            RenderOutput.WriteWith(tmp.File("v.mp4"), ColourFrames(), 50_000, RenderFormat.Mp4, null, "/bin/false"));
        Assert.Contains("v.mp4: ffmpeg failed", e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path));
    }
}
