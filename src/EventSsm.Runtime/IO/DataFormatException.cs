namespace EventSsm.IO;

/// <summary>
/// A file's bytes are not what its format requires (truncated, wrong magic, inconsistent sizes, out-of-range values).
/// The message always names the file and, where known, the byte offset.
/// </summary>
public class DataFormatException : IOException
{
    /// <summary>
    /// The file <paramref name="filePath"/> (null when not a file) and what is wrong with it; the message is "file:
    /// reason".
    /// </summary>
    public DataFormatException(string? filePath, string reason, Exception? inner = null)
        : base(Compose(filePath, reason), inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The file the error is about, or null.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }

    private static string Compose(string? filePath, string reason) =>
        string.IsNullOrEmpty(filePath) ? reason : $"{filePath}: {reason}";
}

/// <summary>A well-formed file uses a feature we do not read (an unknown dtype, a codec, an EVT variant).</summary>
public sealed class UnsupportedDataException : DataFormatException
{
    /// <summary>
    /// The file <paramref name="filePath"/> (null when not a file) and the feature it uses that is not read.
    /// </summary>
    public UnsupportedDataException(string? filePath, string reason, Exception? inner = null)
        : base(filePath, reason, inner)
    {
    }
}
