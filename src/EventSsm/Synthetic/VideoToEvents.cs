using System.Runtime.InteropServices;
using SkiaSharp;
using EventSsm.Events;
using EventSsm.IO;

namespace EventSsm.Synthetic;

/// <summary>A grey frame of a user's video: intensities in [0, 1] (row-major) shown at <see cref="TimeUs"/>.</summary>
public sealed record GreyFrame(long TimeUs, int Width, int Height, float[] Intensity);

/// <summary>
/// Drives the <see cref="EventCamera"/> with a user's frames: a folder of PNG/JPEG/BMP/WebP images sorted by name
/// (ordinal) or an animated GIF. Colours become luma (0.299 R + 0.587 G + 0.114 B) / 255 and the camera takes its
/// log. Log intensity is assumed to change linearly between frames, so one camera step per frame is exact.
/// </summary>
public static class VideoToEvents
{
    private static readonly string[] s_imageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>
    /// Reads frames from a folder or a GIF. Frame i is at i·1e6/fps µs; for a GIF without <paramref name="fps"/>
    /// its own frame durations are used (a zero duration counts as 100 ms, as browsers do). Folders default to 30 fps.
    /// </summary>
    public static IEnumerable<GreyFrame> ReadFrames(string path, double? fps = null)
    {
        if (fps is { } f && !(f > 0 && f <= 1e6))
        {
            throw new ArgumentException($"frame rate {f} must be in (0, 1e6]");
        }
        if (Directory.Exists(path))
        {
            return ReadFolder(path, fps ?? 30);
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such folder or file", path);
        }
        if (!path.EndsWith(".gif", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException($"{path}: give a folder of images or an animated .gif");
        }
        return ReadGif(path, fps);
    }

    /// <summary>
    /// The <c>video2events</c> command: reads the frames of <paramref name="input"/> (<see cref="ReadFrames"/>),
    /// converts them and writes the events as a .dat file; returns the events.
    /// </summary>
    public static EventArray ConvertFile(string input, string output, EventCameraOptions options, double? fps = null, ulong seed = 0)
    {
        EventArray events = Convert(ReadFrames(input, fps), options, seed);
        DatFile.Write(output, events);
        return events;
    }

    /// <summary>Converts frames to time-sorted events; the first frame sets every pixel's reference.</summary>
    public static EventArray Convert(IEnumerable<GreyFrame> frames, EventCameraOptions options, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(frames);
        EventCamera? camera = null;
        foreach (GreyFrame frame in frames)
        {
            if (camera is null)
            {
                camera = new EventCamera(frame.Width, frame.Height, options, seed);
                camera.Reset(frame.Intensity, frame.TimeUs);
                continue;
            }
            if (frame.Width != camera.Width || frame.Height != camera.Height)
            {
                throw new ArgumentException($"frame at {frame.TimeUs} µs is {frame.Width}×{frame.Height}, the first {camera.Width}×{camera.Height}");
            }
            camera.BeginStep(frame.TimeUs);
            camera.UpdateFrame(frame.Intensity);
            camera.EndStep();
        }
        return camera?.Finish() ?? throw new ArgumentException("no frames to convert");
    }

    private static IEnumerable<GreyFrame> ReadFolder(string dir, double fps)
    {
        string[] files = Directory.GetFiles(dir)
            .Where(f => s_imageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"{dir}: no PNG/JPEG/BMP/WebP images in the folder");
        }
        for (int i = 0; i < files.Length; i++)
        {
            using SKBitmap? bmp = SKBitmap.Decode(files[i]);
            if (bmp is null)
            {
                throw new DataFormatException(files[i], "not a decodable image");
            }
            yield return ToGrey(bmp, (long)Math.Round(i * 1e6 / fps));
        }
    }

    private static IEnumerable<GreyFrame> ReadGif(string path, double? fps)
    {
        using SKCodec? codec = SKCodec.Create(path);
        if (codec is null)
        {
            throw new DataFormatException(path, "not a decodable GIF");
        }
        SKCodecFrameInfo[] infos = codec.FrameInfo;
        int count = Math.Max(1, codec.FrameCount);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bmp = new SKBitmap(info);
        long t = 0;
        for (int i = 0; i < count; i++)
        {
            // Decode in order onto the previous frame when this frame builds on it (partial GIF frames).
            bool onPrevious = i > 0 && infos[i].RequiredFrame >= 0
                && infos[i - 1].DisposalMethod != SKCodecAnimationDisposalMethod.RestorePrevious;
            if (!onPrevious)
            {
                bmp.Erase(SKColors.Transparent);
            }
            var opts = new SKCodecOptions(i, onPrevious ? i - 1 : -1);
            SKCodecResult r = codec.GetPixels(info, bmp.GetPixels(), opts);
            if (r is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            {
                throw new DataFormatException(path, $"frame {i} could not be decoded ({r})");
            }
            yield return ToGrey(bmp, fps is { } f ? (long)Math.Round(i * 1e6 / f) : t);
            int ms = infos.Length > i && infos[i].Duration > 0 ? infos[i].Duration : 100;
            t += ms * 1000L;
        }
    }

    private static GreyFrame ToGrey(SKBitmap bmp, long timeUs)
    {
        using SKBitmap rgba = bmp.ColorType == SKColorType.Rgba8888 ? bmp.Copy() : bmp.Copy(SKColorType.Rgba8888);
        int n = rgba.Width * rgba.Height;
        var raw = new byte[n * 4];
        Marshal.Copy(rgba.GetPixels(), raw, 0, raw.Length);
        var grey = new float[n];
        for (int i = 0; i < n; i++)
        {
            grey[i] = (0.299f * raw[4 * i] + 0.587f * raw[4 * i + 1] + 0.114f * raw[4 * i + 2]) / 255f;
        }
        return new GreyFrame(timeUs, rgba.Width, rgba.Height, grey);
    }
}
