using EventSsm.Events;
using EventSsm.IO;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

/// <summary>Mutated .raw inputs must decode or raise DataFormatException, never another exception or a hang.</summary>
public sealed class EvtFuzzTests
{
    private const int Cases = 3000;

    private static byte[][] Seeds()
    {
        EventArray events = RandomEvents(300, 64, 48, seed: 7, maxStep: 3000);
        using var ms = new MemoryStream();
        using (var w = new Evt2Writer(ms, 64, 48, leaveOpen: true))
        {
            w.Write(events);
        }
        var rng = new Random(11);
        byte[] evt3Body = Words16(Enumerable.Range(0, 300).SelectMany(_ => RandomEvt3Pair(rng)).ToArray());
        byte[] evt21Body = Words64(false, Enumerable.Range(0, 100).Select(_ => ((uint)rng.Next() | (uint)rng.Next(2) << 31, (uint)rng.Next())).ToArray());
        return
        [
            ms.ToArray(),
            Concat(Header("% evt 3.0\n% geometry 2048x2048\n% end\n"), Words16(0x8001, 0x0005, 0x3000), evt3Body),
            Concat(Header("% format EVT3;height=48;width=64\n% end\n"), Words16(0x8001, 0x0005, 0x3010, 0x4FFF, 0x5011, 0x2003, 0x6123)),
            Concat(Header("% format EVT21;height=2048;width=2048\n% end\n"), Words64(false, (0x8000_0001, 0)), evt21Body),
            Concat(Header("% format EVT21;height=48;width=64;endianness=legacy\n% end\n"), Words64(true, (0x8000_0001, 0), (Cd(1, 3, 32, 4), 0xF0F0))),
        ];
    }

    /// <summary>Two valid EVT 3.0 words: a vector base then a vector, or a random non-vector word and a y address.</summary>
    private static ushort[] RandomEvt3Pair(Random rng) => rng.Next(2) == 0
        ? [(ushort)(0x3000 | rng.Next(2) << 11 | rng.Next(2000)), (ushort)((rng.Next(4, 6) << 12) | rng.Next(0x1000))]
        : [(ushort)(new[] { 0x0, 0x2, 0x6, 0x7, 0x8, 0xA, 0xE, 0xF }[rng.Next(8)] << 12 | rng.Next(0x800)), (ushort)rng.Next(0x800)];

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        var b = new List<byte>(seed);
        int edits = rng.Next(1, 9);
        for (int e = 0; e < edits && b.Count > 0; e++)
        {
            int at = rng.Next(b.Count);
            switch (rng.Next(6))
            {
                case 0:
                    b[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    b[at] = (byte)rng.Next(256);
                    break;
                case 2:
                    b.RemoveRange(at, Math.Min(b.Count - at, rng.Next(1, 9)));
                    break;
                case 3:
                    b.InsertRange(at, Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256)));
                    break;
                case 4:
                    b.RemoveRange(at, b.Count - at); // truncate
                    break;
                default:
                    // Header-shaped noise: '%', digits, separators and newlines where the header is.
                    b[Math.Min(at, 40) % b.Count] = "%\n ;=x0123EVTevt.end"u8[rng.Next(19)];
                    break;
            }
        }
        return b.ToArray();
    }

    [Fact]
    public void MutatedInputs_OnlyDataFormatExceptions_NoHangs()
    {
        byte[][] seeds = Seeds();
        foreach (byte[] s in seeds)
        {
            RawFile.Decode(s); // the seeds themselves are valid
        }
        var rng = new Random(2024);
        var unexpected = new List<string>();
        int decoded = 0;
        int rejected = 0;
        for (int c = 0; c < Cases; c++)
        {
            byte[] input = Mutate(seeds[c % seeds.Length], rng);
            int piece = rng.Next(1, 64);
            try
            {
                FuzzCase.Run(c, () =>
                {
                    RawReadResult whole = RawFile.Decode(input);
                    // Streaming in pieces must agree with the whole-buffer decode.
                    AssertSame(whole.Events, DecodeInPieces(input, () => piece));
                });
                decoded++;
            }
            catch (DataFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                // Anything else, a mismatch of the two decodes or a hang included, is listed with its case.
                unexpected.Add($"case {c}: {e}");
            }
        }
        Assert.Empty(unexpected);
        Assert.True(decoded > Cases / 10 && rejected > Cases / 10, $"decoded {decoded}, rejected {rejected}");
    }
}
