namespace EventSsm.Onnx;

/// <summary>
/// An ONNX file that is not an EventSsm detector graph, or that does not fit the input given at run time. The message
/// names the file and the expected vs actual value.
/// </summary>
public sealed class OnnxModelException : IOException
{
    public OnnxModelException(string filePath, string reason, Exception? inner = null)
        : base($"{filePath}: {reason}", inner)
    {
        FilePath = filePath;
        Reason = reason;
    }

    public string FilePath { get; }

    public string Reason { get; }
}
