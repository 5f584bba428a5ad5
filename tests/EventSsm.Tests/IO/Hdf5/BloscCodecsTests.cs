using EventSsm.IO;
using EventSsm.IO.Hdf5;
using PureHDF.VOL.Native;

namespace EventSsm.Tests.IO.Hdf5;

/// <summary>
/// Blosc frames made by c-blosc 1.21 through hdf5plugin 4.0.1 (tests/fixtures/formats/README.md) in every codec we
/// read, against a zstd copy of the same arrays; and BloscLZ streams built by hand from docs/FORMATS.md §5.1.
/// </summary>
public sealed class BloscCodecsTests
{
    public static TheoryData<string> Datasets => new()
    {
        "blosclz/t_c1_s1", "blosclz/t_c5_s1", "blosclz/x_c5_s1", "blosclz/f_c5_s1", "blosclz/d_c5_s0",
        "lz4/t_c1_s1", "lz4/t_c5_s1", "lz4/x_c5_s1", "lz4/f_c5_s1", "lz4/d_c5_s0",
        "lz4hc/t_c1_s1", "lz4hc/x_c5_s1", "lz4hc/d_c5_s0",
        "zlib/t_c1_s1", "zlib/x_c5_s1", "zlib/d_c5_s0",
        "zstd/t_c1_s1", "zstd/x_c5_s1", "zstd/d_c5_s0",
    };

    [Theory]
    [MemberData(nameof(Datasets))]
    public void CBloscFrames_DecodeToTheReferenceArrays(string key)
    {
        using NativeFile file = Hdf5Access.Open(Fixtures.Formats.BloscCodecs);
        string name = key.Split('/')[1][..1];
        NativeDataset actual = (NativeDataset)file.Get(key);
        NativeDataset expected = (NativeDataset)file.Get("expected/" + name);
        switch (name)
        {
            case "t":
                Assert.Equal(expected.Read<long[]>(), actual.Read<long[]>());
                break;
            case "x":
                Assert.Equal(expected.Read<ushort[]>(), actual.Read<ushort[]>());
                break;
            case "f":
                Assert.Equal(expected.Read<float[]>(), actual.Read<float[]>());
                break;
            default:
                Assert.Equal(expected.Read<byte[]>(), actual.Read<byte[]>());
                break;
        }
    }

    [Fact]
    public void BloscLz_Literals_NearMatch_Run_LongMatch_FarMatch()
    {
        var stream = new List<byte>();
        var expected = new List<byte>();
        // Literal run "abcdefgh": control 7 (8 bytes). The first byte's top 3 bits are a marker and ignored.
        stream.AddRange([0x20 | 7, .. "abcdefgh"u8]);
        expected.AddRange("abcdefgh"u8);
        // Near match: length code 2 (→ 3+1 = 4 bytes), distance high 0, low 5 → from 6 back: "cdef".
        stream.AddRange([(2 << 5) | 0, 5]);
        expected.AddRange("cdef"u8);
        // Run: length 7 → 6 + 9 extra + 3 = 18 bytes, distance 0 → repeats the last byte ('f').
        stream.AddRange([(7 << 5) | 0, 9, 0]);
        expected.AddRange(Enumerable.Repeat((byte)'f', 18));
        // Overlapping match of a 2-byte pattern: 5 bytes copied from 2 back ("ff" then "f..." continues).
        stream.AddRange([0, (byte)'z', (3 << 5) | 0, 1]);
        expected.Add((byte)'z');
        expected.AddRange("fzfzf"u8);
        // Pad to 9000 bytes with literals (32 at a time), then a far match 8600 back: 255 + 0x01 0xA1 (417) + 8191.
        var rng = new Random(4);
        while (expected.Count < 9000)
        {
            byte[] lit = new byte[32];
            rng.NextBytes(lit);
            stream.Add(31);
            stream.AddRange(lit);
            expected.AddRange(lit);
        }
        // Length code 7 extended by 255 and 1 (→ 6 + 256 + 3 = 265), distance 31:255 = the far form, then 417 big-endian.
        stream.AddRange([(7 << 5) | 31, 255, 1, 255, 0x01, 0xA1]);
        int from = expected.Count - (417 + BloscLzDecoder.MaxNearDistance) - 1;
        expected.AddRange(expected.GetRange(from, 265));
        stream.AddRange([0, (byte)'!']);
        expected.Add((byte)'!');
        byte[] dst = new byte[expected.Count];
        Assert.Equal(expected.Count, BloscLzDecoder.Decode(stream.ToArray(), dst));
        Assert.Equal(expected.ToArray(), dst);
    }

    [Theory]
    [InlineData(new byte[] { 3, 1, 2 })]                    // literal run of 4 with 2 bytes
    [InlineData(new byte[] { 0, 7, (2 << 5) | 0, 9 })]      // match 10 back with 1 byte written
    [InlineData(new byte[] { 0, 7, (7 << 5) | 0, 255 })]     // extended length cut off
    [InlineData(new byte[] { 0, 7, (7 << 5) | 31, 255 })]    // far match without its distance bytes
    [InlineData(new byte[] { 0, 7, (1 << 5) | 0 })]          // match without its distance byte
    public void BloscLz_MalformedStreams_AreRejected(byte[] stream)
    {
        Assert.Equal(-1, BloscLzDecoder.Decode(stream, new byte[64]));
    }

    [Fact]
    public void BloscLz_MoreOutputThanRoom_IsRejected()
    {
        Assert.Equal(-1, BloscLzDecoder.Decode([0, 7, (7 << 5) | 0, 100, 0], new byte[50]));
    }

    [Fact]
    public void CorruptCodecStreams_RaiseDataFormatExceptionNamingTheFile()
    {
        using NativeFile file = Hdf5Access.Open(Fixtures.Formats.BloscCodecs);
        foreach (string codec in new[] { "blosclz", "lz4", "zlib" })
        {
            byte[] frame = ReadChunk(codec + "/x_c5_s1");
            var rng = new Random(codec.Length);
            int rejected = 0;
            for (int i = 0; i < 300; i++)
            {
                byte[] bad = (byte[])frame.Clone();
                for (int k = 0; k < 4; k++)
                {
                    bad[16 + rng.Next(bad.Length - 16)] ^= (byte)(1 << rng.Next(8));
                }
                try
                {
                    Blosc1Codec.Decode(bad, "f.h5");
                }
                catch (DataFormatException e)
                {
                    Assert.StartsWith("f.h5: ", e.Message);
                    rejected++;
                }
            }
            Assert.InRange(rejected, 1, 300);
        }
    }

    /// <summary>The stored Blosc frame of a one-chunk dataset, decoded by the codec directly (no PureHDF pipeline).</summary>
    private static byte[] ReadChunk(string key)
    {
        using NativeFile file = Hdf5Access.Open(Fixtures.Formats.BloscCodecs);
        NativeDataset d = (NativeDataset)file.Get(key);
        Hdf5ChunkIndex index = Hdf5ChunkIndex.Open(Fixtures.Formats.BloscCodecs, d)
            ?? throw new InvalidOperationException("the fixture uses a version-1 B-tree chunk index");
        using var fs = File.OpenRead(Fixtures.Formats.BloscCodecs);
        byte[] frame = new byte[index.Chunks[0].Size];
        fs.Position = (long)index.Chunks[0].Address;
        fs.ReadExactly(frame);
        Assert.Equal(0u, index.Chunks[0].FilterMask);
        Assert.True(Blosc1Codec.Decode(frame, "f.h5").Length > 0);
        return frame;
    }
}
