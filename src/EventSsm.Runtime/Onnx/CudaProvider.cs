using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace EventSsm.Onnx;

/// <summary>
/// Adds ONNX Runtime's CUDA execution provider, or says exactly what is missing: the GPU build of ONNX Runtime
/// (<c>-p:EventSsmOnnxGpu=true</c>) and the CUDA 12 / cuDNN 9 shared libraries it loads at run time.
/// </summary>
internal static class CudaProvider
{
    /// <summary>The libraries ONNX Runtime 1.32's CUDA provider needs (CUDA 12.x, cuDNN 9.x).</summary>
    public static readonly string[] RequiredLibraries =
        ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9"];

    public static void Append(SessionOptions options, int deviceId)
    {
        string[] missing = MissingLibraries();
        try
        {
            options.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            string reason = missing.Length > 0
                ? $"missing CUDA/cuDNN libraries: {string.Join(", ", missing)} (install CUDA 12 and cuDNN 9 and put them on LD_LIBRARY_PATH)"
                : "this build uses the CPU ONNX Runtime; rebuild with `dotnet build -p:EventSsmOnnxGpu=true` (Microsoft.ML.OnnxRuntime.Gpu.Linux)";
            throw new NotSupportedException($"--device cuda: the CUDA execution provider is not available: {reason} [{e.Message.Split('\n')[0].Trim()}]", e);
        }
    }

    /// <summary>The required libraries the dynamic loader cannot find.</summary>
    public static string[] MissingLibraries() =>
        [.. RequiredLibraries.Where(name =>
        {
            if (!NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                return true;
            }
            NativeLibrary.Free(handle);
            return false;
        })];
}
