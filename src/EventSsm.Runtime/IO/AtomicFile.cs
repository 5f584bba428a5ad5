namespace EventSsm.IO;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new content: the data goes to a
/// temporary file in the same directory, is flushed to disk, and is then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Runs <paramref name="write"/> on the temporary file's stream, then renames it over <paramref name="path"/>. The
    /// stream is readable and seekable as well, because PureHDF's writer reads back what it wrote.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e.Message.Contains(tmp, StringComparison.Ordinal))
        {
            // The system's message names our temporary file; the user asked for the target.
            TryDelete(tmp);
            string reason = e switch
            {
                UnauthorizedAccessException => "permission denied",
                FileNotFoundException or DirectoryNotFoundException => "its folder takes no new files",
                _ => e.Message.Replace($" : '{tmp}'", "").Replace($"'{tmp}'", "").Replace(tmp, "").Trim().TrimEnd('.', ':', ' '),
            };
            throw new IOException($"{full}: cannot write ({reason})", e);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> as the whole new content of <paramref name="path"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>
    /// Writes <paramref name="text"/> as UTF-8 without a byte order mark as the whole new content of <paramref
    /// name="path"/>.
    /// </summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 14, leaveOpen: true);
            w.Write(text);
        });

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
