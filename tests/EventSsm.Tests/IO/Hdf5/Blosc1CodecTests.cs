using System.Buffers.Binary;
using FsCheck;
using FsCheck.Xunit;
using ZstdSharp;
using EventSsm.IO.Hdf5;
using EventSsm.IO;

namespace EventSsm.Tests.IO.Hdf5;

public sealed class Blosc1CodecTests
{
    private static readonly int[] s_typeSizes = [1, 2, 4, 8];

    [Property(MaxTest = 60)]
    public bool EncodeDecode_RoundTrips(byte[] seed, PositiveInt length, int typeSelector, bool compressible)
    {
        int typeSize = s_typeSizes[Math.Abs(typeSelector % 4)];
        // Lengths up to ~100 kB cover tiny (memcpyed) inputs, several 32 kB blocks and a short last block.
        int n = length.Get % 100_003;
        byte[] data = new byte[n];
        if (compressible && seed.Length > 0)
        {
            for (int i = 0; i < n; i++)
            {
                data[i] = seed[(i / 7) % seed.Length];
            }
        }
        else
        {
            new Random(n * 31 + seed.Length).NextBytes(data);
        }
        byte[] frame = Blosc1Codec.Encode(data, typeSize);
        Blosc1Header h = Blosc1Codec.ReadValidHeader(frame);
        return h.CompressedSize == frame.Length
            && h.TypeSize == typeSize
            && frame.Length <= n + Blosc1Header.Size
            && Blosc1Codec.Decode(frame).AsSpan().SequenceEqual(data);
    }

    [Fact]
    public void Encode_CompressibleData_UsesHdf5BloscHeader()
    {
        byte[] data = new byte[100_000];
        byte[] frame = Blosc1Codec.Encode(data, typeSize: 1);
        Blosc1Header h = Blosc1Codec.ReadValidHeader(frame);
        // docs/GOLDEN.md §2.2: version 2, versionlz 1, flags 0x91, blocksize 32768.
        Assert.Equal((2, 1, 0x91, 32768), (h.Version, h.VersionLz, h.Flags, h.BlockSize));
        Assert.True(frame.Length < 1000);
    }

    [Fact]
    public void Encode_RandomData_FallsBackToMemcpyed()
    {
        byte[] data = new byte[50_000];
        new Random(3).NextBytes(data);
        byte[] frame = Blosc1Codec.Encode(data, typeSize: 2);
        Assert.True(Blosc1Codec.ReadValidHeader(frame).IsMemcpyed);
        Assert.Equal(data.Length + 16, frame.Length);
        Assert.Equal(data, Blosc1Codec.Decode(frame));
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(8, true)]
    public void Decode_SplitStreams_UnshufflesEachBlock(int typeSize, bool zstdStreams)
    {
        // A frame as c-blosc writes it for split codecs: typesize streams per full block, one for the short last block.
        byte[] data = new byte[1000 * typeSize + 3 * typeSize];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 7 / typeSize + i % typeSize);
        }
        byte[] frame = BuildSplitFrame(data, typeSize, blockSize: 256 * typeSize, zstdStreams);
        Assert.Equal(data, Blosc1Codec.Decode(frame));
    }

    [Fact]
    public void Decode_BitShuffle_IsUnsupported()
    {
        byte[] frame = Blosc1Codec.Encode(new byte[4096], 1);
        frame[2] |= Blosc1Header.FlagBitShuffle;
        UnsupportedDataException ex = Assert.Throws<UnsupportedDataException>(() => Blosc1Codec.Decode(frame, "f.h5"));
        Assert.Contains("bit-shuffle", ex.Message);
        Assert.StartsWith("f.h5: ", ex.Message);
    }

    [Theory]
    [InlineData(2, "snappy")]
    [InlineData(5, "unknown codec 5")]
    [InlineData(6, "unknown codec 6")]
    public void Decode_OtherCodecs_AreUnsupportedByName(int codec, string name)
    {
        byte[] frame = Blosc1Codec.Encode(new byte[4096], 1);
        frame[2] = (byte)((frame[2] & 0x1F) | (codec << 5));
        UnsupportedDataException ex = Assert.Throws<UnsupportedDataException>(() => Blosc1Codec.Decode(frame, "f.h5"));
        Assert.Contains($"'{name}'", ex.Message);
    }

    [Fact]
    public void Decode_TruncatedFrame_Throws()
    {
        byte[] frame = Blosc1Codec.Encode(new byte[4096], 1);
        Assert.Throws<DataFormatException>(() => Blosc1Codec.Decode(frame.AsSpan(0, 10), "f.h5"));
        DataFormatException ex = Assert.Throws<DataFormatException>(() => Blosc1Codec.Decode(frame.AsSpan(0, frame.Length - 1), "f.h5"));
        Assert.Contains("truncated", ex.Message);
    }

    [Theory]
    [InlineData(4, 5000)]      // nbytes larger than the blocks describe
    [InlineData(8, 0)]         // blocksize 0
    [InlineData(8, 1)]         // blocksize 1: too many block offsets for cbytes
    [InlineData(12, 8)]        // cbytes smaller than the header
    public void Decode_InconsistentSizes_Throw(int field, int value)
    {
        byte[] frame = Blosc1Codec.Encode(new byte[4096], 1);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(field), value);
        Assert.Throws<DataFormatException>(() => Blosc1Codec.Decode(frame, "f.h5"));
    }

    [Fact]
    public void Decode_BlockStartOutOfRange_Throws()
    {
        byte[] frame = Blosc1Codec.Encode(new byte[100_000], 1);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(16), frame.Length + 5);
        DataFormatException ex = Assert.Throws<DataFormatException>(() => Blosc1Codec.Decode(frame, "f.h5"));
        Assert.Contains("block 0", ex.Message);
    }

    [Fact]
    public void Decode_MutatedFrames_OnlyEverThrowDataFormatException()
    {
        var rng = new Random(12345);
        byte[] data = new byte[70_000];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 11 == 0 ? rng.Next(0, 11) : 0);
        }
        byte[][] frames =
        [
            Blosc1Codec.Encode(data, 1),
            Blosc1Codec.Encode(data, 8),
            BuildSplitFrame(data, 2, 4096, zstdStreams: true),
            Blosc1Codec.Encode(data.AsSpan(0, 100), 1),
        ];
        for (int c = 0; c < 3000; c++)
        {
            byte[] f = (byte[])frames[c % frames.Length].Clone();
            int edits = 1 + rng.Next(4);
            for (int e = 0; e < edits; e++)
            {
                // Half the edits hit the header and block offsets, where sizes live.
                int at = rng.Next(2) == 0 ? rng.Next(Math.Min(f.Length, 64)) : rng.Next(f.Length);
                f[at] = (byte)rng.Next(256);
            }
            if (rng.Next(10) == 0)
            {
                Array.Resize(ref f, rng.Next(f.Length));
            }
            FuzzCase.Run(c, () =>
            {
                try
                {
                    Blosc1Codec.Decode(f, "fuzz.h5");
                }
                catch (DataFormatException ex)
                {
                    Assert.StartsWith("fuzz.h5: ", ex.Message);
                }
            });
        }
    }

    /// <summary>Builds a Blosc1 frame with split streams (don't-split clear), as blosclz/lz4 frames are laid out.</summary>
    internal static byte[] BuildSplitFrame(byte[] data, int typeSize, int blockSize, bool zstdStreams)
    {
        int nblocks = (data.Length + blockSize - 1) / blockSize;
        var body = new MemoryStream();
        int[] bstarts = new int[nblocks];
        int headerLen = 16 + 4 * nblocks;
        using var zstd = new Compressor(1);
        for (int b = 0; b < nblocks; b++)
        {
            bstarts[b] = headerLen + (int)body.Length;
            int bsize = Math.Min(blockSize, data.Length - b * blockSize);
            byte[] shuffled = new byte[bsize];
            Blosc1Codec.Shuffle(typeSize, data.AsSpan(b * blockSize, bsize), shuffled);
            int nstreams = bsize == blockSize ? typeSize : 1;
            int neblock = bsize / nstreams;
            for (int s = 0; s < nstreams; s++)
            {
                byte[] stream = shuffled.AsSpan(s * neblock, neblock).ToArray();
                byte[] payload = zstdStreams ? zstd.Wrap(stream).ToArray() : stream;
                if (payload.Length >= neblock)
                {
                    payload = stream;
                }
                byte[] len = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(len, payload.Length);
                body.Write(len);
                body.Write(payload);
            }
        }
        byte[] frame = new byte[headerLen + body.Length];
        byte flags = (byte)(Blosc1Header.FlagByteShuffle | (Blosc1Codec.ZstdCodec << 5));
        new Blosc1Header(2, 1, flags, (byte)typeSize, data.Length, blockSize, frame.Length).Write(frame);
        for (int b = 0; b < nblocks; b++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(16 + 4 * b), bstarts[b]);
        }
        body.ToArray().CopyTo(frame, headerLen);
        return frame;
    }
}
