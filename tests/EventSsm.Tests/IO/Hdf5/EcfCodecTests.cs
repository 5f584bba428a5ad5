using EventSsm.IO;
using EventSsm.IO.Hdf5;

namespace EventSsm.Tests.IO.Hdf5;

public sealed class EcfCodecTests
{
    /// <summary>The owner's byte-exact vectors (hdf5_ecf ecf_codec_test.cpp, docs/FORMATS.md §2.1).</summary>
    public static TheoryData<string, int[][], string> OwnerVectors => new()
    {
        { "one event, YXP", [[1, 2, 0, 4]], "06000000 0400000000000000 01 00022000 00000000 00000000" },
        { "one empty event", [[0, 0, 0, 0]], "06000000 0000000000000000 01 000000000000000000000000" },
        { "big delta, XP", [[0, 23, 1, 5217], [10, 23, 1, 10435]], "09000000 6114000000000000 01 f2f6f4f1 01 e202 1500 0001 0000" },
        { "masked x, 6 events", [[19, 23, 0, 13875], [20, 23, 0, 13875], [21, 23, 0, 13875], [22, 23, 0, 13875], [23, 23, 0, 13875], [24, 23, 0, 13875]], "18000000 3336000000000000 06 e602 7f02 06" },
        { "masked x, 3 events", [[19, 23, 0, 13875], [20, 23, 0, 13875], [21, 23, 0, 13875]], "0c000000 3336000000000000 03 e302 7802 03" },
    };

    [Theory]
    [MemberData(nameof(OwnerVectors))]
    public void OwnerVector_EncodesByteExactAndDecodes(string name, int[][] events, string hex)
    {
        byte[] expected = Convert.FromHexString(hex.Replace(" ", ""));
        Events e = Events.Of(events);
        Assert.True(expected.AsSpan().SequenceEqual(EcfCodec.Encode(e.X, e.Y, e.P, e.T)), name);
        Events d = Decode(expected, out int consumed);
        Assert.Equal(expected.Length, consumed);
        e.AssertEqual(d);
    }

    [Fact]
    public void Modes_FollowTheReferenceChoice()
    {
        // Rows that change every event: YXP. One row with scattered x: XP. One row with runs of adjacent x: MASKED.
        Assert.Equal(2u, Mode(Events.Generate(64, i => (i * 37 % 1280, i % 720, i & 1, i))));
        Assert.Equal(1u, Mode(Events.Generate(64, i => (i * 97 % 1280, 5, i & 1, i))));
        Assert.Equal(0u, Mode(Events.Generate(64, i => (100 + i, 5, 0, i))));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(15)]
    [InlineData(300)]
    public void SameTimestampRuns_UseTheCountEscape(int run)
    {
        Events e = Events.Generate(run + 1, i => (i % 7, 3, 0, i < run ? 1000 : 1020));
        byte[] block = EcfCodec.Encode(e.X, e.Y, e.P, e.T);
        // header, t0, then the 0xF escape with a uint16 count (counts ≥ 15), then a long delta (20 ≥ 15) and a run of 1.
        Assert.Equal(0x0F, block[12]);
        Assert.Equal(run, block[13] | (block[14] << 8));
        Assert.Equal([0xF4, 0xF1, 0x01], block[15..18]);
        e.AssertEqual(Decode(block, out _));
    }

    [Fact]
    public void LongRowAndPolarityRuns_UseTheirEscapes()
    {
        // 200 events in one row, polarity 1, x in steps of one: MASKED with a y run ≥ 31 and a p run ≥ 127.
        Events e = Events.Generate(200, i => (i, 9, 1, 5000 + i));
        byte[] block = EcfCodec.Encode(e.X, e.Y, e.P, e.T);
        Assert.Equal(0u, block[0] & 3u);
        Events d = Decode(block, out int consumed);
        Assert.Equal(block.Length, consumed);
        e.AssertEqual(d);
        // The y section follows the timestamp codes: (9 << 5) | 31, then 200.
        int ySection = 12 + 1 + 199;
        Assert.Equal((9 << 5) | 31, block[ySection] | (block[ySection + 1] << 8));
        Assert.Equal(200, block[ySection + 2] | (block[ySection + 3] << 8));
        // Masked x: groups of six consecutive x (mask 0b11111), 34 words; then p = (1 << 7) | 127, count 200.
        int pSection = ySection + 4 + 2 * 34;
        Assert.Equal(0xFF, block[pSection]);
        Assert.Equal(200, block[pSection + 1] | (block[pSection + 2] << 8));
        Assert.Equal(block.Length, pSection + 3);
    }

    [Fact]
    public void MaskedLastWord_MarkingValuesPastN_DropsThem()
    {
        // 3 events but the x word marks x+1..x+5 (the reference encoder can read stale slots): keep 3, consume the word.
        byte[] block = Convert.FromHexString("0c000000333600000000000003e3027f0203");
        Events d = Decode(block, out int consumed);
        Assert.Equal(block.Length, consumed);
        Assert.Equal([19, 20, 21], d.X);
    }

    [Fact]
    public void UnsortedTimes_DecodeAsTheRunningMaximum()
    {
        Events e = Events.Of([[1, 1, 0, 100], [2, 1, 0, 90], [3, 1, 0, 130], [4, 1, 0, 120]]);
        Events d = Decode(EcfCodec.Encode(e.X, e.Y, e.P, e.T), out _);
        Assert.Equal([100L, 100, 130, 130], d.T);
    }

    [Fact]
    public void HugeDeltasAndNegativeStart_RoundTrip()
    {
        Events e = Events.Of([[0, 0, 1, -5], [1, 1, 0, 1L << 40], [2047, 2047, 1, (1L << 40) + 15], [3, 3, 0, long.MaxValue]]);
        e.AssertEqual(Decode(EcfCodec.Encode(e.X, e.Y, e.P, e.T), out _));
    }

    [Fact]
    public void RandomBlocks_RoundTripInEveryMode()
    {
        // Like the owner's round trips: blocks of thousands of random sorted events (x < 1280, y < 720, dt 0..3), and a
        // "coherent" variant of row-wise bursts of adjacent x that selects XP and MASKED.
        var rng = new Random(42);
        var modes = new HashSet<uint>();
        for (int b = 0; b < 24; b++)
        {
            int n = rng.Next(1, 20_000);
            bool coherent = b % 2 == 1;
            long t = rng.Next(1_000_000);
            int row = rng.Next(720);
            int col = rng.Next(1280);
            int burst = rng.Next(1, 40);
            Events e = Events.Generate(n, i =>
            {
                t += rng.Next(4);
                if (!coherent)
                {
                    return (rng.Next(1280), rng.Next(720), rng.Next(2), t);
                }
                if (i % burst == 0)
                {
                    row = rng.Next(720);
                    col = rng.Next(1200);
                }
                col += b % 4 == 1 ? rng.Next(1, 3) : rng.Next(6, 60);
                return (Math.Min(col, 1279), row, rng.Next(10) < 8 ? 1 : 0, t);
            });
            byte[] block = EcfCodec.Encode(e.X, e.Y, e.P, e.T);
            modes.Add(block[0] & 3u);
            Events d = Decode(block, out int consumed);
            Assert.Equal(block.Length, consumed);
            e.AssertEqual(d);
        }
        Assert.Equal([0u, 1u, 2u], modes.Order());
    }

    [Fact]
    public void TooManyEvents_AreRejected()
    {
        Events e = Events.Generate(100_000, i => (0, 0, 0, i));
        Assert.Throws<ArgumentOutOfRangeException>(() => EcfCodec.Encode(e.X, e.Y, e.P, e.T));
        byte[] header = BitConverter.GetBytes(100_000u << 2);
        DataFormatException ex = Assert.Throws<DataFormatException>(() => Decode(header, out _));
        Assert.Contains("100000 events", ex.Message);
    }

    [Fact]
    public void EveryTruncation_RaisesDataFormatException()
    {
        var rng = new Random(7);
        foreach (Events e in new[]
        {
            Events.Generate(37, i => (rng.Next(1280), rng.Next(720), rng.Next(2), i * 20)),
            Events.Generate(37, i => (i * 31, 4, i & 1, i)),
            Events.Generate(37, i => (i, 4, i / 20, i / 3)),
        })
        {
            byte[] block = EcfCodec.Encode(e.X, e.Y, e.P, e.T);
            for (int len = 0; len < block.Length; len++)
            {
                Assert.Throws<DataFormatException>(() => Decode(block.AsSpan(0, len).ToArray(), out _));
            }
        }
    }

    [Fact]
    public void RandomBytes_NeverThrowAnythingButDataFormatException()
    {
        var rng = new Random(11);
        Events source = Events.Generate(500, i => (i % 300, i / 7, i & 1, i));
        byte[] seed = EcfCodec.Encode(source.X, source.Y, source.P, source.T);
        for (int iter = 0; iter < 3000; iter++)
        {
            byte[] b = (byte[])seed.Clone();
            for (int k = rng.Next(1, 6); k > 0; k--)
            {
                b[rng.Next(b.Length)] = (byte)rng.Next(256);
            }
            try
            {
                Events d = Decode(b, out int consumed);
                Assert.InRange(consumed, 4, b.Length);
                Assert.All(d.X, v => Assert.InRange(v, 0, EcfCodec.MaxCoordinate + 5));
                Assert.All(d.P, v => Assert.InRange(v, 0, 1));
                Assert.True(d.T.Zip(d.T.Skip(1)).All(pair => pair.First <= pair.Second));
            }
            catch (DataFormatException)
            {
            }
        }
    }

    private static uint Mode(Events e) => EcfCodec.Encode(e.X, e.Y, e.P, e.T)[0] & 3u;

    private static Events Decode(byte[] block, out int consumed)
    {
        int n = Math.Max(0, Math.Min(EcfCodec.ReadCount(block), EcfCodec.MaxEvents));
        var d = new Events(new ushort[n], new ushort[n], new byte[n], new long[n]);
        int got = EcfCodec.Decode(block, d.X, d.Y, d.P, d.T, out consumed);
        Assert.Equal(n, got);
        return d;
    }

    private sealed record Events(ushort[] X, ushort[] Y, byte[] P, long[] T)
    {
        public static Events Of(long[][] rows) => Generate(rows.Length, i => ((int)rows[i][0], (int)rows[i][1], (int)rows[i][2], rows[i][3]));

        public static Events Of(int[][] rows) => Generate(rows.Length, i => (rows[i][0], rows[i][1], rows[i][2], rows[i][3]));

        public static Events Generate(int n, Func<int, (int X, int Y, int P, long T)> f)
        {
            var e = new Events(new ushort[n], new ushort[n], new byte[n], new long[n]);
            for (int i = 0; i < n; i++)
            {
                (int x, int y, int p, long t) = f(i);
                e.X[i] = (ushort)x;
                e.Y[i] = (ushort)y;
                e.P[i] = (byte)p;
                e.T[i] = t;
            }
            return e;
        }

        public void AssertEqual(Events other)
        {
            Assert.Equal(X, other.X);
            Assert.Equal(Y, other.Y);
            Assert.Equal(P, other.P);
            Assert.Equal(T, other.T);
        }
    }
}
