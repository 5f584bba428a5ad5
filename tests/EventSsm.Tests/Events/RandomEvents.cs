using FsCheck;
using FsCheck.Fluent;
using EventSsm.Events;

namespace EventSsm.Tests.Events;

/// <summary>FsCheck generators for valid, time-sorted event arrays on small sensors.</summary>
internal static class RandomEvents
{
    public static Arbitrary<EventArray> Arbitrary(int maxCount, int maxWidth = 40, int maxHeight = 30, int maxStepUs = 3000) =>
        (from w in Gen.Choose(1, maxWidth)
         from h in Gen.Choose(1, maxHeight)
         from n in Gen.Choose(0, maxCount)
         from xs in Gen.ArrayOf(Gen.Choose(0, w - 1), n)
         from ys in Gen.ArrayOf(Gen.Choose(0, h - 1), n)
         from ps in Gen.ArrayOf(Gen.Choose(0, 1), n)
         from steps in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(0)), (7, Gen.Choose(0, maxStepUs))), n)
         from start in Gen.Choose(0, 1_000_000)
         select Make(w, h, xs, ys, ps, steps, start)).ToArbitrary();

    public static bool SameEvents(EventArray a, EventArray b) =>
        a.Count == b.Count
        && a.X.AsSpan(0, a.Count).SequenceEqual(b.X.AsSpan(0, b.Count))
        && a.Y.AsSpan(0, a.Count).SequenceEqual(b.Y.AsSpan(0, b.Count))
        && a.P.AsSpan(0, a.Count).SequenceEqual(b.P.AsSpan(0, b.Count))
        && a.T.AsSpan(0, a.Count).SequenceEqual(b.T.AsSpan(0, b.Count));

    private static EventArray Make(int w, int h, int[] xs, int[] ys, int[] ps, int[] steps, int start)
    {
        int n = xs.Length;
        var t = new long[n];
        long at = start;
        for (int i = 0; i < n; i++)
        {
            at += steps[i];
            t[i] = at;
        }
        return new EventArray(xs.Select(v => (ushort)v).ToArray(), ys.Select(v => (ushort)v).ToArray(),
            ps.Select(v => (byte)v).ToArray(), t, w, h);
    }
}
