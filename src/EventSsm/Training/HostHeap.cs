using System.Runtime.InteropServices;

namespace EventSsm.Training;

/// <summary>
/// How glibc's malloc, which allocates every libtorch CPU tensor, treats large blocks during training
/// (docs/PERFORMANCE.md, "Speed to the floor"). By default glibc serves blocks above its mmap threshold (it adapts up
/// to 32 MB) with fresh mmap'd pages and unmaps them when they are freed, so each training step page-faults and
/// zeroes its large activations and gradients again: 100–190 k page faults and 0.2–0.6 s of kernel time per step of
/// the small model at B = 2, L = 5 on the project's 2-core machine. <see cref="KeepFreedMemory"/> serves every block
/// from the heap and never trims it, so the next step reuses the pages of the last one: the same working set (the
/// heap settles at the step's peak) without the kernel time. Linux with glibc only; elsewhere it does nothing.
/// </summary>
public static class HostHeap
{
    // glibc's mallopt parameters (malloc.h).
    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;
    private const int GlibcDefaultMmapMax = 65536;
    private const int GlibcDefaultTrimThreshold = 128 * 1024;

    private static readonly object s_gate = new();
    private static int s_holders;

    /// <summary>
    /// Keeps freed memory in the heap until the returned scope is disposed (scopes may nest and overlap). Disposing
    /// the last one restores glibc's mmap use, trims the heap and returns its free pages to the system.
    /// </summary>
    public static IDisposable KeepFreedMemory()
    {
        lock (s_gate)
        {
            if (s_holders++ == 0)
            {
                Apply(mmapMax: 0, trimThreshold: int.MaxValue);
            }
        }
        return new Scope();
    }

    private static void Release()
    {
        lock (s_gate)
        {
            if (--s_holders == 0)
            {
                Apply(GlibcDefaultMmapMax, GlibcDefaultTrimThreshold);
                Trim();
            }
        }
    }

    private static void Apply(int mmapMax, int trimThreshold)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            Mallopt(MMmapMax, mmapMax);
            Mallopt(MTrimThreshold, trimThreshold);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no mallopt): nothing to tune.
        }
        catch (DllNotFoundException)
        {
        }
    }

    private static void Trim()
    {
        try
        {
            MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private sealed class Scope : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Release();
            }
        }
    }
}
