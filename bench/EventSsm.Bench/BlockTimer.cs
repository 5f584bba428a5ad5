using System.Diagnostics;
using System.Globalization;
using EventSsm.Inference;

namespace EventSsm.Bench;

/// <summary>
/// The short blocks of the tools that compare within one phase of the VM (<c>onnx-ab</c>, <c>train-ab</c>, <c>vm-phases</c>): one
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

    /// <summary>
    /// A and B in <paramref name="rounds"/> rounds of one block each, the order alternating so that neither always runs
    /// right after the other; prints each round's block p50s (in <paramref name="msFormat"/>) and B/A, and returns the
    /// median B/A.
    /// </summary>
    public static double AlternatingRounds(Action a, Action b, int rounds, int repeats, string msFormat)
    {
        var ratios = new List<double>(rounds);
        for (int round = 0; round < rounds; round++)
        {
            double msA;
            double msB;
            if (round % 2 == 0)
            {
                msA = P50Ms(a, repeats);
                msB = P50Ms(b, repeats);
            }
            else
            {
                msB = P50Ms(b, repeats);
                msA = P50Ms(a, repeats);
            }
            ratios.Add(msB / msA);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                $"round {{0,2}}: A {{1,7:{msFormat}}} ms  B {{2,7:{msFormat}}} ms  B/A {{3:F3}}", round, msA, msB, msB / msA));
        }
        return ratios.Order().ElementAt(rounds / 2);
    }
}
