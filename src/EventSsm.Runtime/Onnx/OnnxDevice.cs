namespace EventSsm.Onnx;

/// <summary>Where ONNX Runtime runs the graph.</summary>
public enum OnnxDevice
{
    Cpu,

    /// <summary>The CUDA execution provider: needs the build with <c>-p:EventSsmOnnxGpu=true</c> and CUDA 13 + cuDNN 9.</summary>
    Cuda,
}

/// <summary>Parses <c>--device</c> values.</summary>
public static class OnnxDevices
{
    public static OnnxDevice Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "cpu" => OnnxDevice.Cpu,
        "cuda" or "gpu" => OnnxDevice.Cuda,
        _ => throw new ArgumentException($"--device {value}: expected cpu or cuda"),
    };
}
