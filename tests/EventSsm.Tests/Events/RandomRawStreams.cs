using EventSsm.Events;
using static EventSsm.Tests.Events.EvtStreams;

namespace EventSsm.Tests.Events;

/// <summary>
/// Random valid .raw files of every format, built word by word so they exercise what a seek index must survive:
/// CD words before the first time-high, time-high wrap-arounds (the counter starts near its top), small backward
/// time-high steps, non-CD words, and for EVT 3.0 vector runs, time-low/time-high pairs and non-CD rows.
/// </summary>
internal static class RandomRawStreams
{
    public const int Height = 48;

    public static int Width(RawEventFormat format) => format == RawEventFormat.Evt3 ? 256 : 64;

    public static byte[] File(RawEventFormat format, int seed, int words)
    {
        var rng = new Random(seed);
        string geometry = $"height={Height};width={Width(format)}";
        return format switch
        {
            RawEventFormat.Evt2 => Concat(Header($"% format EVT2;{geometry}\n% end\n"), Words32(Evt2Words(rng, words))),
            RawEventFormat.Evt21 => Concat(Header($"% format EVT21;{geometry}\n% end\n"), Words64(false, Evt21Words(rng, words))),
            RawEventFormat.Evt21Legacy => Concat(Header($"% format EVT21;{geometry};endianness=legacy\n% end\n"), Words64(true, Evt21Words(rng, words))),
            RawEventFormat.Evt3 => Concat(Header($"% format EVT3;{geometry}\n% end\n"), Words16(Evt3Words(rng, words))),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    /// <summary>Mostly small forward steps; sometimes a step back (a glitch, not a wrap) or a long jump.</summary>
    private static uint NextHigh(Random rng, uint high, int bits)
    {
        uint mask = (1u << bits) - 1;
        int r = rng.Next(100);
        uint next = r < 3 ? high - (uint)rng.Next(1, 4)
            : r < 6 ? high + (uint)rng.Next(1 << (bits - 2))
            : high + (uint)rng.Next(3);
        return next & mask;
    }

    private static uint[] Evt2Words(Random rng, int n)
    {
        var w = new uint[n];
        uint high = (1u << 28) - (uint)rng.Next(1, 20);
        for (int i = 0; i < n; i++)
        {
            int r = rng.Next(100);
            w[i] = r < 10 ? 0x8000_0000u | (high = NextHigh(rng, high, 28))
                : r < 90 ? Cd(rng.Next(2), rng.Next(64), rng.Next(64), rng.Next(Height))
                : ((uint)new[] { 0xA, 0xE, 0xF, 0x3 }[rng.Next(4)] << 28) | (uint)rng.Next(1 << 28);
        }
        return w;
    }

    private static (uint, uint)[] Evt21Words(Random rng, int n)
    {
        var w = new (uint, uint)[n];
        uint high = (1u << 28) - (uint)rng.Next(1, 20);
        for (int i = 0; i < n; i++)
        {
            int r = rng.Next(100);
            w[i] = r < 10 ? (0x8000_0000u | (high = NextHigh(rng, high, 28)), (uint)rng.Next())
                : r < 90 ? (Cd(rng.Next(2), rng.Next(64), rng.Next(32), rng.Next(Height)), rng.Next(5) == 0 ? 0u : (uint)rng.NextInt64(1L << 32))
                : (((uint)new[] { 0xA, 0xE, 0xF, 0x3 }[rng.Next(4)] << 28) | (uint)rng.Next(1 << 28), (uint)rng.Next());
        }
        return w;
    }

    private static ushort[] Evt3Words(Random rng, int n)
    {
        var w = new List<ushort>(n + 8);
        uint high = (1u << 12) - (uint)rng.Next(1, 20);
        while (w.Count < n)
        {
            int r = rng.Next(100);
            if (r < 8)
            {
                w.Add((ushort)(0x8000 | (high = NextHigh(rng, high, 12))));
            }
            else if (r < 20)
            {
                w.Add((ushort)(0x6000 | rng.Next(1 << 12)));
            }
            else if (r < 35)
            {
                w.Add((ushort)(rng.Next(2) << 11 | rng.Next(Height)));
            }
            else if (r < 55)
            {
                w.Add((ushort)(0x2000 | rng.Next(2) << 11 | rng.Next(256)));
            }
            else if (r < 90)
            {
                // A vector run: base x, then up to 3 vectors (base x + 36 + 11 stays on the 256-wide sensor).
                w.Add((ushort)(0x3000 | rng.Next(2) << 11 | rng.Next(200)));
                for (int k = rng.Next(4); k > 0; k--)
                {
                    w.Add(rng.Next(2) == 0 ? (ushort)(0x4000 | rng.Next(1 << 12)) : (ushort)(0x5000 | rng.Next(1 << 8)));
                }
            }
            else
            {
                w.Add((ushort)(new[] { 0x1, 0x7, 0xA, 0xE, 0xF }[rng.Next(5)] << 12 | rng.Next(1 << 12)));
            }
        }
        return [.. w];
    }
}
