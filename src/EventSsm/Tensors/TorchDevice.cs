using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>The devices a command can run on, by the names users type (<c>cpu</c>, <c>cuda</c>).</summary>
public static class TorchDevice
{
    /// <summary>The device names accepted.</summary>
    public static readonly IReadOnlyList<string> Names = ["cpu", "cuda"];

    /// <summary>
    /// <c>cpu</c> or <c>cuda</c> (case-insensitive). <c>cuda</c> on a build or machine without CUDA throws
    /// <see cref="NotSupportedException"/> saying how to get a CUDA build, rather than libtorch's own error later.
    /// </summary>
    public static Device Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToLowerInvariant())
        {
            case "cpu":
                return CPU;
            case "cuda":
                if (!cuda.is_available())
                {
                    throw new NotSupportedException("--device cuda: CUDA is not available. This build ships only the CPU libtorch "
                        + "package (libtorch-cpu-linux-x64); to run on a GPU, build with a CUDA libtorch of the same version "
                        + "(dotnet build -p:EventSsmTorchPackage=libtorch-cuda-12.8-linux-x64) and run on a machine with an NVIDIA "
                        + "driver.");
                }
                return CUDA;
            default:
                throw new ArgumentException($"--device {name}: expected {string.Join(" or ", Names)}");
        }
    }
}
