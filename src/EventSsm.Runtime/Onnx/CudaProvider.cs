using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace EventSsm.Onnx;

/// <summary>
/// Adds ONNX Runtime's CUDA execution provider, or says exactly what is missing: the GPU build of ONNX Runtime
/// (<c>-p:EventSsmOnnxGpu=true</c>) and the CUDA 13 / cuDNN 9 shared libraries it loads at run time.
/// </summary>
internal static class CudaProvider
{
    /// <summary>
    /// The libraries ONNX Runtime 1.32's CUDA provider loads: the NEEDED entries of Microsoft.ML.OnnxRuntime.Gpu.Linux
    /// 1.32.0's <c>libonnxruntime_providers_cuda.so</c> (the driver, CUDA 13 runtime, cuBLAS, cuRAND) and cuDNN 9, which
    /// it opens later.
    /// </summary>
    public static readonly string[] RequiredLibraries =
        ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9"];

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
                ? $"missing CUDA/cuDNN libraries: {string.Join(", ", missing)} (install the NVIDIA driver, CUDA 13 and cuDNN 9 and put them on LD_LIBRARY_PATH)"
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
