using EventSsm.Events;
using EventSsm.IO;

namespace EventSsm.Tests.Events;

public sealed class DatFuzzTests
{
    /// <summary>
    /// Random byte flips, truncations and header edits of a 2000-event prefix of the golden file. Every outcome must be
    /// either a clean decode of valid events or one of our data exceptions, through both readers.
    /// </summary>
    [Fact]
    public void MutatedGoldenPrefix_OnlyEverThrowsDataExceptions()
    {
        byte[] seed = File.ReadAllBytes(GoldenEvents.DatPath).AsSpan(0, 105 + 8 * 2000).ToArray();
        var rng = new Random(1234);
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("fuzz.dat");
        int failures = 0;
        for (int iter = 0; iter < 3000; iter++)
        {
            byte[] bytes = Mutate(seed, rng);
            File.WriteAllBytes(path, bytes);
            FuzzCase.Run(iter, () =>
            {
                try
                {
                    EventArray ev = DatFile.ReadAll(path);
                    AssertValid(ev);
                    using var r = new DatStreamReader(path);
                    Assert.Equal(ev.Count, r.Count);
                    long t = rng.Next(0, 200_000);
                    Assert.Equal(ev.LowerBound(t), r.LowerBound(t));
                    EventWindow w = EventWindows.Read(r, t, 50_000, new EventBuffer(r.Width, r.Height));
                    AssertValid(w.Events);
                }
                catch (DataFormatException)
                {
                    failures++;
                }
            });
        }
        Assert.InRange(failures, 1, 2999);
    }

    private static void AssertValid(EventArray ev)
    {
        for (int i = 0; i < ev.Count; i++)
        {
            Assert.True(ev.X[i] < ev.Width && ev.Y[i] < ev.Height && ev.P[i] <= 1);
            Assert.True(i == 0 || ev.T[i] >= ev.T[i - 1]);
        }
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        byte[] b = (byte[])seed.Clone();
        switch (rng.Next(5))
        {
            case 0:
                for (int k = rng.Next(1, 8); k > 0; k--)
                {
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                }
                return b;
            case 1:
                return b.AsSpan(0, rng.Next(b.Length)).ToArray();
            case 2:
                for (int k = rng.Next(1, 4); k > 0; k--)
                {
                    b[rng.Next(105)] = (byte)rng.Next(256);
                }
                return b;
            case 3:
                int at = 105 + 8 * rng.Next(2000) + 4 + rng.Next(4);
                b[at] ^= (byte)(1 << rng.Next(8));
                return b;
            default:
                int cut = rng.Next(105);
                return [.. b.AsSpan(0, cut), .. b.AsSpan(cut + rng.Next(1, 20))];
        }
    }
}
