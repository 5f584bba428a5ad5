using PureHDF.Filters;

namespace EventSsm.IO.Hdf5;

/// <summary>
/// HDF5 filter 32001 (hdf5-blosc, Blosc1) for PureHDF, backed by <see cref="Blosc1Codec"/>. Register it with
/// <see cref="EnsureRegistered"/> before opening a file.
/// </summary>
public sealed class BloscH5Filter : IH5Filter
{
    /// <summary>The registered HDF5 filter id of hdf5-blosc.</summary>
    public const ushort Id = 32001;

    /// <summary>hdf5-blosc's filter revision and Blosc format version, stored in cd_values[0..1].</summary>
    public const uint FilterRevision = 2;
    /// <summary>The Blosc format version stored in cd_values[1].</summary>
    public const uint BloscFormatVersion = 2;

    /// <summary>Option keys for <see cref="H5Filter"/> when writing.</summary>
    public const string CompressionLevelOption = "clevel";

    private static readonly object s_lock = new();
    private static bool s_registered;

    /// <inheritdoc />
    public ushort FilterId => Id;

    /// <inheritdoc />
    public string Name => "blosc";

    /// <summary>Registers the filter with PureHDF once per process (thread-safe).</summary>
    public static void EnsureRegistered()
    {
        lock (s_lock)
        {
            if (!s_registered)
            {
                H5Filter.Register(new BloscH5Filter());
                s_registered = true;
            }
        }
    }

    /// <inheritdoc />
    public Memory<byte> Filter(FilterInfo info)
    {
        if (info.Flags.HasFlag(H5FilterFlags.Decompress))
        {
            // A PureHDF bug: 2.2.0 tests the filter mask with the wrong shift, so a chunk that hdf5-blosc stored
            // unfiltered (filter_mask = 1, an incompressible chunk) still reaches us. Such a chunk is exactly
            // chunk-size raw bytes whose would-be header does not describe a frame of that length.
            if (info.Buffer.Length == info.ChunkSize && !LooksLikeFrameOfLength(info.Buffer.Span))
            {
                return info.Buffer;
            }
            return Blosc1Codec.Decode(info.Buffer.Span);
        }
        int typeSize = info.Parameters.Length > 2 && info.Parameters[2] is > 0 and <= 255 ? (int)info.Parameters[2] : 1;
        int clevel = info.Parameters.Length > 4 && info.Parameters[4] is >= 1 and <= 9 ? (int)info.Parameters[4] : 1;
        return Blosc1Codec.Encode(info.Buffer.Span, typeSize, clevel);
    }

    /// <summary>
    /// cd_values as hdf5-blosc's set_local stores them (docs/DATA.md §2.8):
    /// (filter revision 2, Blosc version 2, typesize, chunk bytes, clevel, shuffle 1 = byte, compressor 5 = zstd).
    /// </summary>
    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options)
    {
        ulong chunkBytes = typeSize;
        foreach (uint d in chunkDimensions)
        {
            chunkBytes *= d;
        }
        if (chunkBytes > uint.MaxValue)
        {
            throw new ArgumentException($"a Blosc chunk of {chunkBytes} bytes exceeds the 32-bit cd_values field");
        }
        uint clevel = 1;
        if (options is not null && options.TryGetValue(CompressionLevelOption, out object? value))
        {
            clevel = Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return [FilterRevision, BloscFormatVersion, typeSize, (uint)chunkBytes, clevel, 1, 5];
    }

    private static bool LooksLikeFrameOfLength(ReadOnlySpan<byte> buffer)
    {
        Blosc1Header? h = Blosc1Header.TryRead(buffer);
        return h is { } header && header.CompressedSize == buffer.Length;
    }
}
