using System.Buffers.Binary;

namespace EventSsm.IO.Hdf5;

/// <summary>The 16-byte header of a Blosc1 frame (docs/DATA.md §2.8), all fields little-endian.</summary>
public readonly record struct Blosc1Header(
    byte Version, byte VersionLz, byte Flags, byte TypeSize, int UncompressedSize, int BlockSize, int CompressedSize)
{
    /// <summary>Header length in bytes.</summary>
    public const int Size = 16;

    /// <summary>Flag bit: the data were byte-shuffled before compression.</summary>
    public const byte FlagByteShuffle = 0x01;
    /// <summary>Flag bit: the data are stored uncompressed after the header.</summary>
    public const byte FlagMemcpyed = 0x02;
    /// <summary>Flag bit: the data were bit-shuffled (not supported here).</summary>
    public const byte FlagBitShuffle = 0x04;
    /// <summary>Flag bit: each block is compressed as one stream rather than split per byte of the type.</summary>
    public const byte FlagDontSplit = 0x10;

    /// <summary>Compressor code in flag bits 5–7: 0 blosclz, 1 lz4/lz4hc, 2 snappy, 3 zlib, 4 zstd.</summary>
    public int Codec => Flags >> 5;

    /// <summary>Whether the data follow the header uncompressed.</summary>
    public bool IsMemcpyed => (Flags & FlagMemcpyed) != 0;

    /// <summary>Whether the data were byte-shuffled.</summary>
    public bool IsByteShuffled => (Flags & FlagByteShuffle) != 0;

    /// <summary>Whether the data were bit-shuffled.</summary>
    public bool IsBitShuffled => (Flags & FlagBitShuffle) != 0;

    /// <summary>Whether blocks are compressed unsplit.</summary>
    public bool IsDontSplit => (Flags & FlagDontSplit) != 0;

    /// <summary>Parses the header fields without validating them; null when fewer than 16 bytes are given.</summary>
    public static Blosc1Header? TryRead(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < Size)
        {
            return null;
        }
        return new Blosc1Header(frame[0], frame[1], frame[2], frame[3],
            BinaryPrimitives.ReadInt32LittleEndian(frame[4..]),
            BinaryPrimitives.ReadInt32LittleEndian(frame[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(frame[12..]));
    }

    /// <summary>Writes the 16 header bytes to the start of <paramref name="dst"/>.</summary>
    public void Write(Span<byte> dst)
    {
        dst[0] = Version;
        dst[1] = VersionLz;
        dst[2] = Flags;
        dst[3] = TypeSize;
        BinaryPrimitives.WriteInt32LittleEndian(dst[4..], UncompressedSize);
        BinaryPrimitives.WriteInt32LittleEndian(dst[8..], BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(dst[12..], CompressedSize);
    }

    /// <summary>The codec's name for a codec number (blosclz, lz4, snappy, zlib, zstd).</summary>
    public static string CodecName(int codec) => codec switch
    {
        0 => "blosclz",
        1 => "lz4",
        2 => "snappy",
        3 => "zlib",
        4 => "zstd",
        _ => $"unknown codec {codec}",
    };
}
