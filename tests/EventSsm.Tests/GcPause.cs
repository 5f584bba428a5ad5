using System.Runtime;

namespace EventSsm.Tests;

/// <summary>
/// Runs TorchSharp code that makes temporary scalars inside, where we cannot hand it owned ones (docs/ARCHITECTURE.md
/// "Scalars"): <c>optim.AdamW.step</c>, the bit-exact oracle of the AdamW tests. No garbage collection may run
/// meanwhile, or one started by a test on another thread could finalize such a scalar while libtorch still reads it.
/// </summary>
internal static class GcPause
{
    /// <summary>Enough for a small optimizer step, with what parallel tests allocate at the same time.</summary>
    private const long Budget = 64L * 1024 * 1024;

    /// <summary>Only one no-GC region may exist in the process, and tests run in parallel.</summary>
    private static readonly Lock s_gate = new();

    public static void Run(Action action)
    {
        lock (s_gate)
        {
            GC.TryStartNoGCRegion(Budget);
            try
            {
                action();
            }
            finally
            {
                // Allocating past the budget ends the region with a collection; ending it again would throw.
                if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
                {
                    GC.EndNoGCRegion();
                }
            }
        }
    }
}
