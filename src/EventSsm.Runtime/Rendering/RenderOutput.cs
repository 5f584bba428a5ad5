using System.Globalization;

namespace EventSsm.Rendering;

/// <summary>What a rendering is written as.</summary>
public enum RenderFormat
{
    /// <summary>Animated GIF (our encoder; always available).</summary>
    Gif,

    /// <summary>H.264 MP4 through ffmpeg; a GIF when ffmpeg is not on PATH.</summary>
    Mp4,

    /// <summary>A folder of numbered PNG files.</summary>
    Png,
}

/// <summary>What <see cref="RenderOutput.Write"/> wrote.</summary>
public sealed record RenderedFile(string Path, RenderFormat Format, int Frames);

/// <summary>
/// The one place that turns rendered frames into a file (through <see cref="RecordingRenderer"/> for <c>render</c>,
/// <c>predict</c> and the demo): GIF, PNG frames, or MP4 at the real-time rate with a clear message and a GIF instead
/// when ffmpeg is missing.
/// </summary>
public static class RenderOutput
{
    public static RenderFormat Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gif" => RenderFormat.Gif,
        "mp4" => RenderFormat.Mp4,
        "png" => RenderFormat.Png,
        _ => throw new ArgumentException($"unknown rendering '{name}' (expected gif, mp4 or png)"),
    };

    /// <summary>The format a target names: .gif, .mp4, else a folder of PNGs.</summary>
    public static RenderFormat FormatOf(string target) =>
        target.EndsWith(".gif", StringComparison.OrdinalIgnoreCase) ? RenderFormat.Gif
        : target.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase) ? RenderFormat.Mp4
        : RenderFormat.Png;

    /// <summary>The file extension of a format (empty for the PNG folder).</summary>
    public static string Extension(RenderFormat format) => format switch
    {
        RenderFormat.Gif => ".gif",
        RenderFormat.Mp4 => ".mp4",
        _ => "",
    };

    /// <summary>
    /// Writes <paramref name="frames"/>, one per <paramref name="stepUs"/>, to <paramref name="path"/>. For MP4 without
    /// ffmpeg (<paramref name="ffmpeg"/> null: looked up with <see cref="Mp4Writer.FindFfmpeg"/>) the frames go to a GIF
    /// next to it (same name, .gif) and <paramref name="log"/> says so.
    /// </summary>
    public static RenderedFile Write(string path, IEnumerable<RgbImage> frames, long stepUs, RenderFormat format,
        Action<string>? log = null, string? ffmpeg = null) =>
        WriteWith(path, frames, stepUs, format, log, format == RenderFormat.Mp4 ? ffmpeg ?? Mp4Writer.FindFfmpeg() : null);

    /// <summary><see cref="Write"/> with the ffmpeg lookup done: null means there is none.</summary>
    internal static RenderedFile WriteWith(string path, IEnumerable<RgbImage> frames, long stepUs, RenderFormat format,
        Action<string>? log, string? ffmpeg)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepUs);
        if (format == RenderFormat.Mp4)
        {
            if (ffmpeg is not null)
            {
                return new RenderedFile(path, format, Mp4Writer.WriteFile(path, frames, ffmpeg, 1e6 / stepUs));
            }
            string gif = Path.ChangeExtension(path, ".gif");
            log?.Invoke($"ffmpeg is not on PATH, so no MP4: writing {gif} instead (install ffmpeg, e.g. apt-get install ffmpeg, for H.264 MP4)");
            path = gif;
            format = RenderFormat.Gif;
        }
        if (format == RenderFormat.Gif)
        {
            // GIF delays are in 1/100 s: the nearest to the real-time step.
            int count = GifWriter.WriteFile(path, frames, (int)Math.Max(1, Math.Round(stepUs / 10_000.0)));
            return new RenderedFile(path, format, count);
        }
        Directory.CreateDirectory(path);
        int n = 0;
        foreach (RgbImage f in frames)
        {
            PngFile.Write(Path.Combine(path, n.ToString("D6", CultureInfo.InvariantCulture) + ".png"), f);
            n++;
        }
        return new RenderedFile(path, format, n);
    }
}
