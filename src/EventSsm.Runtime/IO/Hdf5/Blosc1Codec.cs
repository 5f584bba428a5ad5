using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace EventSsm.IO.Hdf5;

/// <summary>
/// Managed Blosc1 frames as hdf5-blosc (HDF5 filter 32001) writes them (docs/DATA.md §2.8). Decoding supports
/// the BloscLZ, LZ4 (and LZ4HC), zlib and zstd codecs (docs/FORMATS.md §5), byte shuffle, split and unsplit
/// blocks, raw streams and MEMCPYED frames; snappy and bit shuffle raise <see cref="UnsupportedDataException"/>.
/// Every size in the frame is checked before it is used, so
/// corrupt frames raise <see cref="DataFormatException"/> instead of reading out of bounds.
/// </summary>
public static class Blosc1Codec
{
    /// <summary>Codec number of BloscLZ in the frame flags.</summary>
    public const int BloscLzCodec = 0;
    /// <summary>Codec number of LZ4 and LZ4HC.</summary>
    public const int Lz4Codec = 1;
    /// <summary>Codec number of zlib.</summary>
    public const int ZlibCodec = 3;
    /// <summary>Codec number of zstd.</summary>
    public const int ZstdCodec = 4;
    /// <summary>Block size used when compressing.</summary>
    public const int DefaultBlockSize = 32768;

    // c-blosc 1.x: BLOSC_VERSION_FORMAT and BLOSC_ZSTD_VERSION_FORMAT; inputs under MIN_BUFFERSIZE are stored memcpyed.
    private const byte FormatVersion = 2;
    private const byte ZstdFormatVersion = 1;
    private const int MinBufferSize = 128;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    [ThreadStatic]
    private static Compressor? t_compressor;

    /// <summary>Decodes a whole frame into a new array of its uncompressed size.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> frame, string? fileName = null)
    {
        Blosc1Header h = ReadValidHeader(frame, fileName);
        byte[] dst = new byte[h.UncompressedSize];
        DecodeValidated(h, frame, dst, fileName);
        return dst;
    }

    /// <summary>Decodes a frame into <paramref name="dst"/>, which must be exactly the frame's uncompressed size.</summary>
    public static void Decode(ReadOnlySpan<byte> frame, Span<byte> dst, string? fileName = null)
    {
        Blosc1Header h = ReadValidHeader(frame, fileName);
        if (dst.Length != h.UncompressedSize)
        {
            throw new ArgumentException(
                $"destination has {dst.Length} bytes but the Blosc frame holds {h.UncompressedSize}", nameof(dst));
        }
        DecodeValidated(h, frame, dst, fileName);
    }

    /// <summary>Reads and checks the header: version, sizes, codec and flags.</summary>
    public static Blosc1Header ReadValidHeader(ReadOnlySpan<byte> frame, string? fileName = null)
    {
        Blosc1Header h = Blosc1Header.TryRead(frame)
            ?? throw Bad(fileName, $"truncated Blosc frame: {frame.Length} bytes, the header alone needs {Blosc1Header.Size}");
        if (h.Version == 0 || h.Version > FormatVersion)
        {
            throw new UnsupportedDataException(fileName,
                $"Blosc format version {h.Version} is not Blosc1 (versions 1–{FormatVersion} are read)");
        }
        if (h.TypeSize == 0)
        {
            throw Bad(fileName, "Blosc header has typesize 0");
        }
        if (h.UncompressedSize < 0 || h.CompressedSize < Blosc1Header.Size)
        {
            throw Bad(fileName, $"Blosc header has nbytes {h.UncompressedSize} and cbytes {h.CompressedSize}");
        }
        if (h.CompressedSize > frame.Length)
        {
            throw Bad(fileName, $"truncated Blosc frame: header cbytes {h.CompressedSize} but only {frame.Length} bytes present");
        }
        if (h.IsMemcpyed)
        {
            if ((long)h.CompressedSize != (long)h.UncompressedSize + Blosc1Header.Size)
            {
                throw Bad(fileName,
                    $"memcpyed Blosc frame has cbytes {h.CompressedSize}, expected nbytes {h.UncompressedSize} + 16");
            }
            return h;
        }
        if (h.IsBitShuffled)
        {
            throw new UnsupportedDataException(fileName, "Blosc bit-shuffle is not supported (only byte shuffle)");
        }
        if (h.Codec is not (BloscLzCodec or Lz4Codec or ZlibCodec or ZstdCodec))
        {
            throw new UnsupportedDataException(fileName,
                $"Blosc codec '{Blosc1Header.CodecName(h.Codec)}' is not supported (blosclz, lz4, lz4hc, zlib and zstd are read)");
        }
        if (h.UncompressedSize > 0 && h.BlockSize <= 0)
        {
            throw Bad(fileName, $"Blosc header has blocksize {h.BlockSize}");
        }
        if (h.UncompressedSize > 0)
        {
            long nblocks = ((long)h.UncompressedSize + h.BlockSize - 1) / h.BlockSize;
            if (Blosc1Header.Size + 4 * nblocks > h.CompressedSize)
            {
                throw Bad(fileName,
                    $"Blosc frame of cbytes {h.CompressedSize} cannot hold {nblocks} block offsets (nbytes {h.UncompressedSize}, blocksize {h.BlockSize})");
            }
        }
        return h;
    }

    private static void DecodeValidated(Blosc1Header h, ReadOnlySpan<byte> frame, Span<byte> dst, string? fileName)
    {
        frame = frame[..h.CompressedSize];
        if (h.IsMemcpyed)
        {
            frame.Slice(Blosc1Header.Size, h.UncompressedSize).CopyTo(dst);
            return;
        }
        if (h.UncompressedSize == 0)
        {
            return;
        }
        int nblocks = (int)(((long)h.UncompressedSize + h.BlockSize - 1) / h.BlockSize);
        int leftover = h.UncompressedSize % h.BlockSize;
        int dataStart = Blosc1Header.Size + 4 * nblocks;
        bool unshuffle = h.IsByteShuffled && h.TypeSize > 1;
        byte[]? tmp = unshuffle ? new byte[Math.Min(h.BlockSize, h.UncompressedSize)] : null;
        for (int b = 0; b < nblocks; b++)
        {
            int bstart = BinaryPrimitives.ReadInt32LittleEndian(frame[(Blosc1Header.Size + 4 * b)..]);
            if (bstart < dataStart || bstart >= frame.Length)
            {
                throw Bad(fileName, $"Blosc block {b} starts at {bstart}, outside [{dataStart}, {frame.Length})");
            }
            bool leftoverBlock = b == nblocks - 1 && leftover > 0;
            int bsize = leftoverBlock ? leftover : h.BlockSize;
            Span<byte> blockDst = dst.Slice(b * h.BlockSize, bsize);
            Span<byte> streamsDst = unshuffle ? tmp.AsSpan(0, bsize) : blockDst;
            // c-blosc blosc_d: a block is split into typesize streams unless don't-split is set or it is the
            // short last block.
            int nstreams = !h.IsDontSplit && !leftoverBlock ? h.TypeSize : 1;
            if (bsize % nstreams != 0)
            {
                throw Bad(fileName, $"Blosc block {b} of {bsize} bytes cannot be split into {nstreams} streams");
            }
            int neblock = bsize / nstreams;
            int pos = bstart;
            for (int s = 0; s < nstreams; s++)
            {
                if (pos > frame.Length - 4)
                {
                    throw Bad(fileName, $"truncated Blosc frame: block {b} stream {s} size at byte {pos}");
                }
                int csize = BinaryPrimitives.ReadInt32LittleEndian(frame[pos..]);
                pos += 4;
                if (csize <= 0 || csize > frame.Length - pos)
                {
                    throw Bad(fileName, $"Blosc block {b} stream {s} has compressed size {csize} with {frame.Length - pos} bytes left");
                }
                ReadOnlySpan<byte> payload = frame.Slice(pos, csize);
                Span<byte> streamDst = streamsDst.Slice(s * neblock, neblock);
                if (csize == neblock)
                {
                    payload.CopyTo(streamDst);
                }
                else
                {
                    DecompressStream(h.Codec, payload, streamDst, fileName, b, s);
                }
                pos += csize;
            }
            if (unshuffle)
            {
                Unshuffle(h.TypeSize, streamsDst, blockDst);
            }
        }
    }

    private static void DecompressStream(int codec, ReadOnlySpan<byte> payload, Span<byte> dst, string? fileName, int block, int stream)
    {
        int written;
        try
        {
            written = codec switch
            {
                BloscLzCodec => BloscLzDecoder.Decode(payload, dst),
                // A raw LZ4 block (LZ4HC writes the same format); -1 when malformed.
                Lz4Codec => LZ4Codec.Decode(payload, dst),
                ZlibCodec => Inflate(payload, dst),
                _ => (t_decompressor ??= new Decompressor()).Unwrap(payload, dst),
            };
        }
        catch (Exception ex) when (ex is ZstdException or ArgumentException or InvalidDataException)
        {
            throw Bad(fileName, $"Blosc block {block} stream {stream}: {Blosc1Header.CodecName(codec)} error: {ex.Message}", ex);
        }
        if (written != dst.Length)
        {
            throw Bad(fileName, written < 0
                ? $"Blosc block {block} stream {stream}: corrupt {Blosc1Header.CodecName(codec)} data"
                : $"Blosc block {block} stream {stream} decompressed to {written} bytes, expected {dst.Length}");
        }
    }

    /// <summary>A zlib stream (c-blosc writes zlib's compress2 format); fills at most dst and reports the bytes written.</summary>
    private static unsafe int Inflate(ReadOnlySpan<byte> payload, Span<byte> dst)
    {
        fixed (byte* p = payload)
        {
            using var input = new UnmanagedMemoryStream(p, payload.Length);
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            int total = 0;
            int n;
            while (total < dst.Length && (n = zlib.Read(dst[total..])) > 0)
            {
                total += n;
            }
            // One more byte would mean the stream holds more than the block.
            Span<byte> probe = stackalloc byte[1];
            return total == dst.Length && zlib.Read(probe) > 0 ? -1 : total;
        }
    }

    /// <summary>
    /// Encodes like hdf5-blosc with zstd and byte shuffle: don't-split, one zstd frame per block (raw when it does
    /// not shrink), and a MEMCPYED frame when the input is tiny or incompressible.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> src, int typeSize, int clevel = 1, int blockSize = DefaultBlockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(typeSize, 255);
        ArgumentOutOfRangeException.ThrowIfLessThan(clevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clevel, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(src.Length, int.MaxValue - Blosc1Header.Size);
        int nbytes = src.Length;
        if (nbytes < MinBufferSize)
        {
            return Memcpyed(src, typeSize, nbytes);
        }
        // c-blosc compute_blocksize: clip to nbytes, then round down to whole elements.
        int bs = Math.Min(blockSize, nbytes);
        if (bs > typeSize)
        {
            bs = bs / typeSize * typeSize;
        }
        int nblocks = (nbytes + bs - 1) / bs;
        int maxOut = nbytes + Blosc1Header.Size;
        byte[] outBuf = new byte[maxOut];
        int pos = Blosc1Header.Size + 4 * nblocks;
        byte[] tmp = new byte[bs];
        byte[] scratch = new byte[bs];
        Compressor zstd = GetCompressor(ZstdLevel(clevel));
        for (int b = 0; b < nblocks; b++)
        {
            int bsize = Math.Min(bs, nbytes - b * bs);
            ReadOnlySpan<byte> block = src.Slice(b * bs, bsize);
            if (typeSize > 1)
            {
                Shuffle(typeSize, block, tmp.AsSpan(0, bsize));
                block = tmp.AsSpan(0, bsize);
            }
            BinaryPrimitives.WriteInt32LittleEndian(outBuf.AsSpan(Blosc1Header.Size + 4 * b), pos);
            // c-blosc stores a stream raw (csize == its size) when zstd does not shrink it.
            if (zstd.TryWrap(block, scratch.AsSpan(0, bsize - 1), out int written) && written > 0
                && pos + 4 + written <= maxOut)
            {
                BinaryPrimitives.WriteInt32LittleEndian(outBuf.AsSpan(pos), written);
                scratch.AsSpan(0, written).CopyTo(outBuf.AsSpan(pos + 4));
                pos += 4 + written;
            }
            else if (pos + 4 + bsize <= maxOut)
            {
                BinaryPrimitives.WriteInt32LittleEndian(outBuf.AsSpan(pos), bsize);
                block.CopyTo(outBuf.AsSpan(pos + 4));
                pos += 4 + bsize;
            }
            else
            {
                // Larger than the input plus a header: c-blosc then stores the whole buffer memcpyed.
                return Memcpyed(src, typeSize, nbytes);
            }
        }
        byte flags = (byte)(Blosc1Header.FlagByteShuffle | Blosc1Header.FlagDontSplit | (ZstdCodec << 5));
        new Blosc1Header(FormatVersion, ZstdFormatVersion, flags, (byte)typeSize, nbytes, bs, pos).Write(outBuf);
        return outBuf.AsSpan(0, pos).ToArray();
    }

    private static byte[] Memcpyed(ReadOnlySpan<byte> src, int typeSize, int nbytes)
    {
        byte[] outBuf = new byte[nbytes + Blosc1Header.Size];
        byte flags = (byte)(Blosc1Header.FlagByteShuffle | Blosc1Header.FlagMemcpyed | Blosc1Header.FlagDontSplit | (ZstdCodec << 5));
        new Blosc1Header(FormatVersion, ZstdFormatVersion, flags, (byte)typeSize, nbytes, nbytes, outBuf.Length).Write(outBuf);
        src.CopyTo(outBuf.AsSpan(Blosc1Header.Size));
        return outBuf;
    }

    // c-blosc 1.x zstd_wrap_compress: clevel 1..8 maps to zstd level 2*clevel-1, 9 to the maximum.
    private static int ZstdLevel(int clevel) => clevel < 9 ? 2 * clevel - 1 : 22;

    private static Compressor GetCompressor(int level)
    {
        Compressor c = t_compressor ??= new Compressor(level);
        if (c.Level != level)
        {
            c.Level = level;
        }
        return c;
    }

    /// <summary>Blosc byte shuffle: byte j of element i goes to j*n + i; trailing bytes past n whole elements stay.</summary>
    internal static void Shuffle(int typeSize, ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int n = src.Length / typeSize;
        for (int j = 0; j < typeSize; j++)
        {
            Span<byte> plane = dst.Slice(j * n, n);
            for (int i = 0; i < n; i++)
            {
                plane[i] = src[i * typeSize + j];
            }
        }
        src[(n * typeSize)..].CopyTo(dst[(n * typeSize)..]);
    }

    internal static void Unshuffle(int typeSize, ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int n = src.Length / typeSize;
        for (int j = 0; j < typeSize; j++)
        {
            ReadOnlySpan<byte> plane = src.Slice(j * n, n);
            for (int i = 0; i < n; i++)
            {
                dst[i * typeSize + j] = plane[i];
            }
        }
        src[(n * typeSize)..].CopyTo(dst[(n * typeSize)..]);
    }

    private static DataFormatException Bad(string? fileName, string reason, Exception? inner = null) =>
        new(fileName, reason, inner);
}
