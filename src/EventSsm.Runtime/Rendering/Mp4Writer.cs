using System.Diagnostics;
using System.Globalization;
using EventSsm.IO;

namespace EventSsm.Rendering;

/// <summary>
/// H.264 MP4 through the system's <c>ffmpeg</c> (docs/VIEWER.md, "Videos"): raw RGB24 frames are piped to its stdin,
/// one frame per window at the recording's real-time rate (1 s / step), so memory stays one frame whatever the length.
/// A pipe to the process is all this needs; a wrapper library (FFMpegCore) would add a dependency for the same call.
/// </summary>
public static class Mp4Writer
{
    /// <summary>The environment variable that names an ffmpeg executable instead of the PATH search.</summary>
    public const string FfmpegVariable = "EVENTSSM_FFMPEG";

    /// <summary><c>EVENTSSM_FFMPEG</c>, else the first <c>ffmpeg</c> on PATH, else null.</summary>
    public static string? FindFfmpeg()
    {
        string? env = Environment.GetEnvironmentVariable(FfmpegVariable);
        if (!string.IsNullOrEmpty(env))
        {
            return File.Exists(env) ? env : null;
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>
    /// Writes <paramref name="frames"/> (all of one size) as an MP4 playing <paramref name="framesPerSecond"/> frames per
    /// second, e.g. 1 000 000 / step µs; returns the number of frames. The file appears only when ffmpeg succeeded.
    /// </summary>
    public static int WriteFile(string path, IEnumerable<RgbImage> frames, string ffmpeg, double framesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(ffmpeg);
        if (!(framesPerSecond > 0) || double.IsInfinity(framesPerSecond))
        {
            throw new ArgumentException($"frame rate {framesPerSecond} must be positive");
        }
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        using IEnumerator<RgbImage> it = frames.GetEnumerator();
        if (!it.MoveNext())
        {
            throw new InvalidOperationException($"{path}: no frames to write");
        }
        int width = it.Current.Width;
        int height = it.Current.Height;
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string rate = framesPerSecond.ToString("R", CultureInfo.InvariantCulture);
        foreach (string a in new[]
        {
            "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", $"{width}x{height}", "-framerate", rate, "-i", "-",
            // yuv420p needs even sizes; the pad adds at most one black row or column.
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
            "-f", "mp4", tmp,
        })
        {
            start.ArgumentList.Add(a);
        }
        int count = 0;
        try
        {
            using Process process = Process.Start(start) ?? throw new IOException($"{ffmpeg}: could not start");
            Task<string> errors = process.StandardError.ReadToEndAsync();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Stream stdin = process.StandardInput.BaseStream;
            try
            {
                do
                {
                    RgbImage f = it.Current;
                    if (f.Width != width || f.Height != height)
                    {
                        throw new ArgumentException($"{path}: frame {count} is {f.Width}×{f.Height}, the video {width}×{height}");
                    }
                    stdin.Write(f.Pixels);
                    count++;
                }
                while (it.MoveNext());
                stdin.Close();
            }
            catch (IOException)
            {
                // ffmpeg closed its input: its own message below says why.
            }
            finally
            {
                if (!process.HasExited)
                {
                    try
                    {
                        stdin.Close();
                    }
                    catch (IOException)
                    {
                    }
                }
                process.WaitForExit();
            }
            string message = errors.Result.Trim();
            _ = output.Result;
            if (process.ExitCode != 0 || !File.Exists(tmp))
            {
                string last = message.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "no message";
                throw new IOException($"{path}: ffmpeg failed (exit code {process.ExitCode}): {last}");
            }
            File.Move(tmp, full, overwrite: true);
            return count;
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }
}
