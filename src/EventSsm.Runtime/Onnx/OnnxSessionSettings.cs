namespace EventSsm.Onnx;

/// <summary>How <see cref="OnnxDetector"/> creates its ONNX Runtime session.</summary>
/// <param name="Threads">Intra-op threads; 0 = ONNX Runtime's default (one per core).</param>
/// <param name="Device">CPU, or CUDA through the GPU build.</param>
/// <param name="DeviceId">CUDA device index.</param>
public sealed record OnnxSessionSettings(int Threads = 0, OnnxDevice Device = OnnxDevice.Cpu, int DeviceId = 0)
{
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
        ArgumentOutOfRangeException.ThrowIfNegative(DeviceId);
        if (!Enum.IsDefined(Device))
        {
            throw new ArgumentException($"unknown device {Device}");
        }
    }
}
