using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>
/// libtorch's OpenMP thread team, for managed kernels that run between libtorch's operators
/// (docs/MODEL.md §11.1, "Fused attention at inference"). libtorch's operators run on libgomp's team; after each one
/// its idle worker spins for a while on the other core. A .NET worker started then waits for that core (the
/// two-thread input copy of the ninth session lost its gain that way, docs/PERFORMANCE.md "Tried and kept (ninth
/// session)"). Handing the work to the same team through libgomp's own entry point (<c>GOMP_parallel</c>, what a
/// <c>#pragma omp parallel</c> compiles to) wakes the spinning worker instead.
/// </summary>
/// <remarks>
/// The libgomp that libtorch loaded is found in the process's memory map, so this works on Linux with the libgomp
/// that libtorch ships, whatever its hashed file name. Elsewhere, or before libtorch is loaded, <see cref="Available"/>
/// is false and callers take their libtorch path.
/// </remarks>
public static unsafe class OpenMpTeam
{
    private sealed class Entries
    {
        public delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<void*, void>, void*, uint, uint, void> Parallel;
        public delegate* unmanaged[Cdecl]<int> ThreadNumber;
        public delegate* unmanaged[Cdecl]<int> TeamSize;
    }

    private static readonly Lazy<Entries?> entries = new(Locate);

    /// <summary>Whether libtorch's libgomp was found; looked up once, at the first call.</summary>
    public static bool Available => entries.Value is not null;

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="data"/>) on <paramref name="threads"/> threads of the team, the
    /// calling thread among them, and returns when all have finished. The body must not throw: an exception cannot
    /// cross the native frames and would end the process.
    /// </summary>
    public static void Run(delegate* unmanaged[Cdecl]<void*, void> body, void* data, int threads)
    {
        Entries e = entries.Value ?? throw new InvalidOperationException("libtorch's libgomp is not loaded in this process");
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        e.Parallel(body, data, (uint)threads, 0);
    }

    /// <summary>This thread's number in the running team (0 for the calling thread); for use inside a body.</summary>
    public static int ThreadNumber => entries.Value!.ThreadNumber();

    /// <summary>The running team's size; for use inside a body.</summary>
    public static int TeamSize => entries.Value!.TeamSize();

    /// <summary>
    /// This thread's even share [first, end) of <paramref name="count"/> items, in order; for use inside a body, where
    /// every thread of the team takes its own share.
    /// </summary>
    public static (long First, long End) Share(long count)
    {
        int thread = ThreadNumber;
        int team = TeamSize;
        return (count * thread / team, count * (thread + 1) / team);
    }

    /// <summary>
    /// Null where this process can run our AVX-512 kernels on the team (<see cref="FusedAttention"/>,
    /// <see cref="SplitComplexScan"/>); otherwise why not, for reports such as <c>benchmark</c>'s.
    /// </summary>
    public static string? VectorKernelsUnavailable =>
        !Vector512.IsHardwareAccelerated ? "this CPU has no AVX-512"
        : !Available ? "libtorch's libgomp was not found in this process"
        : null;

    /// <summary>
    /// The first float of a contiguous float32 (or complex64) CPU tensor, for a kernel body; the caller keeps the tensor
    /// alive until <see cref="Run"/> returns.
    /// </summary>
    internal static float* FloatPointer(Tensor t) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));

    private static Entries? Locate()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        // libtorch (and with it libgomp) is loaded by TorchSharp's first native call; make sure that has happened.
        _ = TorchSharp.torch.get_num_threads();
        string? path = null;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash >= 0 && Path.GetFileName(line.AsSpan(slash)).StartsWith("libgomp", StringComparison.Ordinal))
            {
                path = line[slash..];
                break;
            }
        }
        if (path is null || !NativeLibrary.TryLoad(path, out nint handle))
        {
            return null;
        }
        if (!NativeLibrary.TryGetExport(handle, "GOMP_parallel", out nint parallel)
            || !NativeLibrary.TryGetExport(handle, "omp_get_thread_num", out nint threadNumber)
            || !NativeLibrary.TryGetExport(handle, "omp_get_num_threads", out nint teamSize))
        {
            return null;
        }
        return new Entries
        {
            Parallel = (delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<void*, void>, void*, uint, uint, void>)parallel,
            ThreadNumber = (delegate* unmanaged[Cdecl]<int>)threadNumber,
            TeamSize = (delegate* unmanaged[Cdecl]<int>)teamSize,
        };
    }
}
