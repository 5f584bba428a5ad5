namespace EventSsm.Onnx;

/// <summary>
/// An ONNX file that is not an EventSsm detector graph, or that does not fit the input given at run time. The message
/// names the file and the expected vs actual value.
/// </summary>
public sealed class OnnxModelException : IOException
{
    /// <summary>
    /// The ONNX file <paramref name="filePath"/> and what is wrong with it; the message is "file: reason".
    /// </summary>
    public OnnxModelException(string filePath, string reason, Exception? inner = null)
        : base($"{filePath}: {reason}", inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The ONNX file the error is about.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }
}
