using System.Buffers.Binary;
using PureHDF.Filters;

namespace EventSsm.IO.Hdf5;

/// <summary>
/// HDF5 filter 36559 (Prophesee ECF) for PureHDF, backed by <see cref="EcfCodec"/>: how <c>/CD/events</c> is read
/// when its chunk index is not a version-1 B-tree (docs/FORMATS.md §1), and how tests write ECF files.
/// A chunk decodes to a full chunk of 16-byte EventCD records; slots past the block's N are filled with
/// <see cref="IsPadding"/> records so that a reader can tell a block that holds too few events from real ones.
/// </summary>
public sealed class EcfH5Filter : IH5Filter
{
    /// <summary>The registered HDF5 filter id of Prophesee's ECF codec.</summary>
    public const ushort Id = 36559;

    /// <summary>EventCD: x u16 @0, y u16 @2, p i16 @4, 2 pad bytes, t i64 @8.</summary>
    public const int RecordSize = 16;

    private static readonly object s_lock = new();
    private static bool s_registered;

    /// <inheritdoc />
    public ushort FilterId => Id;

    /// <inheritdoc />
    public string Name => "ecf";

    /// <summary>Registers the filter with PureHDF once per process (thread-safe).</summary>
    public static void EnsureRegistered()
    {
        lock (s_lock)
        {
            if (!s_registered)
            {
                H5Filter.Register(new EcfH5Filter());
                s_registered = true;
            }
        }
    }

    /// <summary>A record the decoder wrote past a block's events: every byte 0xFF (x = y = 65535, p = t = −1).</summary>
    public static bool IsPadding(ReadOnlySpan<byte> record) =>
        BinaryPrimitives.ReadUInt64LittleEndian(record) == ulong.MaxValue
        && BinaryPrimitives.ReadUInt64LittleEndian(record[8..]) == ulong.MaxValue;

    /// <inheritdoc />
    public Memory<byte> Filter(FilterInfo info)
    {
        int records = info.ChunkSize / RecordSize;
        if (info.Flags.HasFlag(H5FilterFlags.Decompress))
        {
            // A PureHDF bug: 2.2.0 tests the filter mask with the wrong shift, so chunks stored unfiltered (filter mask
            // bit 0) reach us too. Such a chunk is exactly chunk-size EventCD records and, in practice, never a whole
            // ECF block of that very length (docs/FORMATS.md §1.1).
            if (info.Buffer.Length == info.ChunkSize && !IsWholeBlock(info.Buffer.Span))
            {
                return info.Buffer;
            }
            return DecodeToRecords(info.Buffer.Span, records);
        }
        return EncodeRecords(info.Buffer.Span[..(records * RecordSize)]);
    }

    /// <inheritdoc />
    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => [];

    private static bool IsWholeBlock(ReadOnlySpan<byte> buffer)
    {
        int n = EcfCodec.ReadCount(buffer);
        if (n is < 0 or > EcfCodec.MaxEvents)
        {
            return false;
        }
        try
        {
            EcfCodec.Decode(buffer, new ushort[n], new ushort[n], new byte[n], new long[n], out int consumed);
            return consumed == buffer.Length;
        }
        catch (DataFormatException)
        {
            return false;
        }
    }

    private static byte[] DecodeToRecords(ReadOnlySpan<byte> block, int records)
    {
        int n = EcfCodec.ReadCount(block);
        if (n > records)
        {
            throw new DataFormatException(null, $"ECF block holds {n} events but the chunk has room for {records}");
        }
        n = Math.Max(n, 0);
        var x = new ushort[n];
        var y = new ushort[n];
        var p = new byte[n];
        var t = new long[n];
        EcfCodec.Decode(block, x, y, p, t, out int consumed);
        if (consumed != block.Length)
        {
            throw new DataFormatException(null, $"ECF block of {block.Length} bytes ends after {consumed}");
        }
        byte[] output = new byte[records * RecordSize];
        output.AsSpan(n * RecordSize).Fill(0xFF);
        for (int i = 0; i < n; i++)
        {
            Span<byte> r = output.AsSpan(i * RecordSize, RecordSize);
            BinaryPrimitives.WriteUInt16LittleEndian(r, x[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(r[2..], y[i]);
            BinaryPrimitives.WriteInt16LittleEndian(r[4..], p[i]);
            BinaryPrimitives.WriteInt64LittleEndian(r[8..], t[i]);
        }
        return output;
    }

    /// <summary>Encodes a whole chunk, as the filter pipeline does (the tail of a last chunk is HDF5's zero fill).</summary>
    private static byte[] EncodeRecords(ReadOnlySpan<byte> chunk)
    {
        int n = chunk.Length / RecordSize;
        var x = new ushort[n];
        var y = new ushort[n];
        var p = new byte[n];
        var t = new long[n];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> r = chunk.Slice(i * RecordSize, RecordSize);
            x[i] = BinaryPrimitives.ReadUInt16LittleEndian(r);
            y[i] = BinaryPrimitives.ReadUInt16LittleEndian(r[2..]);
            p[i] = (byte)BinaryPrimitives.ReadInt16LittleEndian(r[4..]);
            t[i] = BinaryPrimitives.ReadInt64LittleEndian(r[8..]);
        }
        return EcfCodec.Encode(x, y, p, t);
    }
}
