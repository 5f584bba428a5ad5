namespace EventSsm.Onnx;

/// <summary>How <see cref="OnnxDetector"/> creates its ONNX Runtime session.</summary>
/// <param name="Threads">Intra-op threads; 0 = ONNX Runtime's default (one per core).</param>
/// <param name="Device">CPU, or CUDA through the GPU build.</param>
/// <param name="DeviceId">CUDA device index.</param>
/// <param name="AllowSpinning">
/// ONNX Runtime's default (true): idle intra-op threads spin, waiting for the next operator, which makes its own frame
/// faster (about 8 % for S5-ViT-small on two cores) but takes CPU from other work in the process while they wait; with
/// libtorch in the same loop that made TorchSharp's frame 45–70 % slower (docs/PERFORMANCE.md "ONNX Runtime vs
/// TorchSharp (streaming frame)"). False: they sleep.
/// </param>
public sealed record OnnxSessionSettings(int Threads = 0, OnnxDevice Device = OnnxDevice.Cpu, int DeviceId = 0, bool AllowSpinning = true)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a negative thread count or device index.</summary>
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
