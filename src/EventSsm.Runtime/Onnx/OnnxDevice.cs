namespace EventSsm.Onnx;

/// <summary>Where ONNX Runtime runs the graph.</summary>
public enum OnnxDevice
{
    /// <summary>ONNX Runtime's default CPU execution provider.</summary>
    Cpu,

    /// <summary>The CUDA execution provider: needs the build with <c>-p:EventSsmOnnxGpu=true</c> and CUDA 13 + cuDNN 9.</summary>
    Cuda,
}

/// <summary>Parses <c>--device</c> values.</summary>
public static class OnnxDevices
{
    /// <summary>
    /// <c>cpu</c> or <c>cuda</c> (case-insensitive); anything else throws <see cref="ArgumentException"/>.
    /// </summary>
    public static OnnxDevice Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "cpu" => OnnxDevice.Cpu,
        "cuda" or "gpu" => OnnxDevice.Cuda,
        _ => throw new ArgumentException($"--device {value}: expected cpu or cuda"),
    };
}
