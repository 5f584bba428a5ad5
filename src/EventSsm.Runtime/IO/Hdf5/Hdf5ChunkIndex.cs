using System.Buffers.Binary;
using System.Reflection;
using PureHDF;
using PureHDF.VOL.Native;

namespace EventSsm.IO.Hdf5;

/// <summary>
/// Where each chunk of a 1-D chunked dataset lies in the file, with its stored size and filter mask, read from the
/// dataset's version-1 B-tree (data layout messages 1–3: libhdf5's default, and what Metavision's writers produce;
/// docs/FORMATS.md §1.1). It lets a reader fetch a chunk's raw bytes itself — HDF5's "direct chunk
/// read" — and honour the per-chunk filter mask, which PureHDF 2.2 does not pass to filters. Other chunk indexes
/// (layout message 4: fixed/extensible arrays, v2 B-trees) are left to PureHDF: <see cref="Open"/> returns null.
/// </summary>
public sealed class Hdf5ChunkIndex
{
    private const int MaxTreeDepth = 32;
    private const int MaxEntriesPerNode = 1 << 12;

    // PureHDF keeps the parsed layout message internal: NativeDataset.InternalDataLayout, a DataLayoutMessage12 or
    // DataLayoutMessage3 whose Properties (ChunkedStoragePropertyDescription3) hold the B-tree Address. If a later
    // PureHDF renames these, Open returns null and readers fall back to PureHDF's own chunk access.
    private static readonly PropertyInfo? s_layout =
        typeof(NativeDataset).GetProperty("InternalDataLayout", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly Chunk[] _chunks;

    private Hdf5ChunkIndex(Chunk[] chunks, long chunkElements)
    {
        _chunks = chunks;
        ChunkElements = chunkElements;
    }

    /// <summary>One chunk: absolute file offset, stored bytes, and filter mask (bit i set = filter i was skipped).</summary>
    public readonly record struct Chunk(ulong Address, uint Size, uint FilterMask)
    {
        /// <summary>Whether the chunk was ever written (unwritten chunks read as the fill value).</summary>
        public bool Exists => Size > 0;
    }

    /// <summary>Chunks by chunk number (element offset / <see cref="ChunkElements"/>); missing ones have Size 0.</summary>
    public IReadOnlyList<Chunk> Chunks => _chunks;

    /// <summary>Elements per chunk.</summary>
    public long ChunkElements { get; }

    /// <summary>
    /// The chunk table of <paramref name="dataset"/> (1-D, chunked, version-1 B-tree), or null when the dataset uses
    /// another layout or chunk index. Corrupt B-trees raise <see cref="DataFormatException"/> naming <paramref name="path"/>.
    /// </summary>
    public static Hdf5ChunkIndex? Open(string path, NativeDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Layout.Class != H5DataLayoutClass.Chunked || Hdf5Access.Dims(dataset).Length != 1
            || BTreeAddress(dataset) is not { } treeAddress)
        {
            return null;
        }
        ulong[] chunkDims = dataset.Layout.Chunks;
        if (chunkDims.Length != 1 || chunkDims[0] == 0 || chunkDims[0] > int.MaxValue)
        {
            throw new DataFormatException(path, $"dataset '{dataset.Name}' has chunk shape ({string.Join(", ", chunkDims)})");
        }
        long chunkElements = (long)chunkDims[0];
        ulong extent = Hdf5Access.Dims(dataset)[0];
        long chunkCount = (long)((extent + (ulong)chunkElements - 1) / (ulong)chunkElements);
        if (chunkCount > Array.MaxLength)
        {
            throw new DataFormatException(path, $"dataset '{dataset.Name}' claims {extent} elements");
        }
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
        // Every chunk needs a B-tree entry of at least 32 bytes, so a file cannot index more chunks than that allows
        // (this keeps a corrupt extent from allocating a huge table; sparse datasets are left to PureHDF).
        if (chunkCount > fs.Length / 32 + 1)
        {
            throw new DataFormatException(path, $"dataset '{dataset.Name}' claims {chunkCount} chunks, more than the {fs.Length}-byte file can index");
        }
        var walker = new TreeWalker(fs, path, dataset.Name, Superblock.Read(fs, path), new Chunk[chunkCount], chunkElements);
        if (!walker.Superblock.IsUndefined(treeAddress))
        {
            walker.Walk(treeAddress, expectedLevel: -1, depth: 0);
        }
        return new Hdf5ChunkIndex(walker.Chunks, chunkElements);
    }

    private static ulong? BTreeAddress(NativeDataset dataset)
    {
        object? layout = s_layout?.GetValue(dataset);
        if (layout is null)
        {
            return null;
        }
        Type type = layout.GetType();
        if (type.Name == "DataLayoutMessage12")
        {
            return type.GetProperty("Address")?.GetValue(layout) as ulong?;
        }
        if (type.Name != "DataLayoutMessage3")
        {
            return null;
        }
        object? properties = type.GetProperty("Properties")?.GetValue(layout);
        return properties?.GetType().Name == "ChunkedStoragePropertyDescription3"
            ? properties.GetType().GetProperty("Address")?.GetValue(properties) as ulong?
            : null;
    }

    /// <summary>The superblock facts a B-tree walk needs: sizes of offsets and lengths, and the base address.</summary>
    private readonly record struct Superblock(int OffsetSize, ulong BaseAddress)
    {
        private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

        public bool IsUndefined(ulong address) => OffsetSize == 8 ? address == ulong.MaxValue : address == (1UL << (8 * OffsetSize)) - 1;

        /// <summary>The superblock sits at offset 0, 512, 1024, 2048… (after a user block).</summary>
        public static Superblock Read(FileStream fs, string path)
        {
            Span<byte> b = stackalloc byte[40];
            for (long at = 0; at + 16 <= fs.Length; at = at == 0 ? 512 : at * 2)
            {
                fs.Position = at;
                int n = fs.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
                if (n < 16 || !b[..8].SequenceEqual(Signature))
                {
                    continue;
                }
                int version = b[8];
                (int offsetSize, int baseAt) = version switch
                {
                    0 => (b[13], 24),
                    1 => (b[13], 28),
                    2 or 3 => (b[9], 12),
                    _ => throw new UnsupportedDataException(path, $"HDF5 superblock version {version} is not supported"),
                };
                if (offsetSize is not (2 or 4 or 8) || n < baseAt + offsetSize)
                {
                    throw new DataFormatException(path, $"HDF5 superblock at byte {at} has offsets of {offsetSize} bytes");
                }
                return new Superblock(offsetSize, ReadOffset(b[baseAt..], offsetSize));
            }
            throw new DataFormatException(path, "no HDF5 superblock found");
        }

        public static ulong ReadOffset(ReadOnlySpan<byte> b, int size) => size switch
        {
            2 => BinaryPrimitives.ReadUInt16LittleEndian(b),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(b),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
        };
    }

    /// <summary>
    /// Reads B-tree nodes ("TREE", type 1 = raw data chunks): level, entry count, siblings, then keys (chunk size,
    /// filter mask, rank+1 offsets of 8 bytes) interleaved with child addresses; leaves (level 0) point at chunks.
    /// </summary>
    private sealed class TreeWalker(FileStream fs, string path, string name, Superblock superblock, Chunk[] chunks, long chunkElements)
    {
        private readonly HashSet<ulong> _visited = [];

        public Superblock Superblock => superblock;

        public Chunk[] Chunks => chunks;

        public void Walk(ulong address, int expectedLevel, int depth)
        {
            if (depth > MaxTreeDepth || !_visited.Add(address))
            {
                throw Bad($"the chunk B-tree loops or is deeper than {MaxTreeDepth} levels (node at {address})");
            }
            int o = superblock.OffsetSize;
            byte[] head = ReadAt(address, 8 + 2 * o, "node header");
            if (!head.AsSpan(0, 4).SequenceEqual("TREE"u8) || head[4] != 1)
            {
                throw Bad($"no raw-data B-tree node at byte {Absolute(address, 0)}");
            }
            int level = head[5];
            int entries = BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(6));
            if ((expectedLevel >= 0 && level != expectedLevel) || entries > MaxEntriesPerNode)
            {
                throw Bad($"B-tree node at byte {Absolute(address, 0)} has level {level} and {entries} entries");
            }
            // Rank + 1 offsets per key: the dataset's dimension plus the element-size dimension (always 0).
            const int keySize = 4 + 4 + 8 * 2;
            int entrySize = keySize + o;
            byte[] body = ReadAt(address + (ulong)head.Length, entries * entrySize + keySize, "node entries");
            for (int i = 0; i < entries; i++)
            {
                ReadOnlySpan<byte> key = body.AsSpan(i * entrySize, keySize);
                ulong child = Superblock.ReadOffset(body.AsSpan(i * entrySize + keySize), o);
                if (level > 0)
                {
                    Walk(child, level - 1, depth + 1);
                    continue;
                }
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(key);
                uint mask = BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
                if (offset % (ulong)chunkElements != 0 || offset / (ulong)chunkElements >= (ulong)chunks.Length)
                {
                    // Chunks past the current extent (left after shrinking) are legal and unused.
                    if (offset % (ulong)chunkElements == 0)
                    {
                        continue;
                    }
                    throw Bad($"a chunk key has offset {offset}, not a multiple of the chunk size {chunkElements}");
                }
                int k = (int)(offset / (ulong)chunkElements);
                ulong at = Absolute(child, 0);
                if (size == 0 || at > (ulong)fs.Length || size > (ulong)fs.Length - at)
                {
                    throw Bad($"chunk {k} claims {size} bytes at byte {at}, past the end of the {fs.Length}-byte file");
                }
                if (chunks[k].Exists)
                {
                    throw Bad($"chunk {k} appears twice in the B-tree");
                }
                chunks[k] = new Chunk(at, size, mask);
            }
        }

        private ulong Absolute(ulong address, ulong plus) => superblock.BaseAddress + address + plus;

        private byte[] ReadAt(ulong address, int count, string what)
        {
            ulong at = Absolute(address, 0);
            if (at > (ulong)fs.Length || (ulong)count > (ulong)fs.Length - at)
            {
                throw Bad($"the chunk B-tree's {what} at byte {at} lies past the end of the file");
            }
            byte[] b = new byte[count];
            fs.Position = (long)at;
            fs.ReadExactly(b);
            return b;
        }

        private DataFormatException Bad(string reason) => new(path, $"HDF5 dataset '{name}': {reason}");
    }
}
