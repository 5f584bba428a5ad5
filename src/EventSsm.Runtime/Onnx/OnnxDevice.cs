namespace EventSsm.Onnx;

/// <summary>Where ONNX Runtime runs the graph.</summary>
public enum OnnxDevice
{
    Cpu,

    /// <summary>The CUDA execution provider: needs the build with <c>-p:EventSsmOnnxGpu=true</c> and CUDA 12 + cuDNN 9.</summary>
    Cuda,
}
