using System.Diagnostics;
using EventSsm.Inference;

namespace EventSsm.Bench;

/// <summary>
/// The short blocks of the tools that compare within one phase of the VM (<c>onnx-ab</c>, <c>vm-phases</c>): one
/// untimed call, then the p50 of <c>repeats</c> timed ones.
/// </summary>
internal static class BlockTimer
{
    public static double P50Ms(Action step, int repeats)
    {
        step();
        var ms = new List<double>(repeats);
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            ms.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return LatencyStats.From(ms).P50Ms;
    }
}
