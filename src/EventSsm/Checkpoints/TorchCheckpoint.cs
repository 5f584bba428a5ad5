using System.IO.Compression;
using TorchSharp;
using EventSsm.Checkpoints.Pickle;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// A PyTorch zip checkpoint (<c>torch.save</c>, format of torch ≥ 1.6): <c>&lt;archive&gt;/data.pkl</c> plus one entry
/// per storage under <c>&lt;archive&gt;/data/</c>. Works for plain state_dict <c>.pt</c> files and Lightning
/// <c>.ckpt</c> files (docs/MODEL.md §7). The pickle is read without executing anything; unknown classes such as
/// omegaconf's DictConfig come back as <see cref="PickleObject"/>.
/// </summary>
public sealed class TorchCheckpoint
{
    // Guards against a crafted view that expands a tiny storage (stride 0) into an enormous tensor.
    private const long MaxExpandedElements = 1L << 24;

    private readonly Dictionary<string, byte[]> _storageBytes;

    private TorchCheckpoint(string filePath, object? root, Dictionary<string, byte[]> storageBytes)
    {
        FilePath = filePath;
        Root = root;
        _storageBytes = storageBytes;
    }

    /// <summary>The file read.</summary>
    public string FilePath { get; }

    /// <summary>The unpickled top-level object (a <see cref="PickleDict"/> for every checkpoint we know).</summary>
    public object? Root { get; }

    /// <summary>Lightning's <c>epoch</c>, when the top-level dict has an integer one.</summary>
    public long? Epoch => TopLevelInt("epoch");

    /// <summary>Lightning's <c>global_step</c>, when present.</summary>
    public long? GlobalStep => TopLevelInt("global_step");

    /// <summary>Lightning's <c>pytorch-lightning_version</c>, when present.</summary>
    public string? LightningVersion =>
        Root is PickleDict d && d.TryGetValue("pytorch-lightning_version", out object? v) ? v as string : null;

    /// <summary>Reads the pickle and every storage of the archive.</summary>
    public static TorchCheckpoint Read(string path) => Read(path, readStorages: true);

    /// <summary>
    /// Reads only the pickle: the metadata (epoch, config, …) of a checkpoint without loading its weights;
    /// <see cref="ToTensor"/> and <see cref="StateDict"/> then fail.
    /// </summary>
    public static TorchCheckpoint ReadMetadata(string path) => Read(path, readStorages: false);

    private static TorchCheckpoint Read(string path, bool readStorages)
    {
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: file not found", path, e);
        }
        using (fs)
        {
            try
            {
                using var zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true);
                return ReadArchive(path, zip, readStorages);
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(path, $"not a valid PyTorch zip checkpoint: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The tensors of a checkpoint: its <c>state_dict</c> entry when there is one (Lightning), otherwise the
    /// top-level dict. Keys starting with <paramref name="stripPrefix"/> lose it (e.g. "mdl."); others are kept.
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path, string? stripPrefix = null) =>
        Read(path).StateDict(stripPrefix);

    /// <inheritdoc cref="LoadStateDict(string, string?)"/>
    public Dictionary<string, Tensor> StateDict(string? stripPrefix = null)
    {
        if (Root is not PickleDict top)
        {
            throw new DataFormatException(FilePath, $"top-level object is {PickleReader.Describe(Root)}, not a dict");
        }
        PickleDict dict = top;
        if (top.TryGetValue("state_dict", out object? inner))
        {
            dict = inner as PickleDict
                ?? throw new DataFormatException(FilePath, $"'state_dict' is {PickleReader.Describe(inner)}, not a dict");
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (KeyValuePair<object, object?> kv in dict.Items)
            {
                if (kv.Key is not string name || kv.Value is not TorchTensorRecord record)
                {
                    throw new DataFormatException(FilePath, $"state_dict entry {PickleReader.Describe(kv.Key)} → {PickleReader.Describe(kv.Value)} is not a named tensor");
                }
                if (!string.IsNullOrEmpty(stripPrefix) && name.StartsWith(stripPrefix, StringComparison.Ordinal))
                {
                    name = name[stripPrefix.Length..];
                }
                if (result.ContainsKey(name))
                {
                    throw new DataFormatException(FilePath, $"two state_dict entries map to '{name}' after stripping '{stripPrefix}'");
                }
                result[name] = ToTensor(record);
            }
        }
        catch
        {
            foreach (Tensor t in result.Values)
            {
                t.Dispose();
            }
            throw;
        }
        return result;
    }

    /// <summary>Materialises a tensor record as a contiguous CPU tensor that owns its memory.</summary>
    public Tensor ToTensor(TorchTensorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_storageBytes.TryGetValue(record.Storage.Key, out byte[]? bytes))
        {
            throw new DataFormatException(FilePath, $"storage '{record.Storage.Key}' is not part of this checkpoint");
        }
        long numel;
        try
        {
            numel = record.Shape.Aggregate(1L, (a, b) => checked(a * b));
        }
        catch (OverflowException e)
        {
            throw new DataFormatException(FilePath, $"tensor size [{string.Join(",", record.Shape)}] overflows", e);
        }
        if (numel > Math.Max(record.Storage.Numel, MaxExpandedElements))
        {
            throw new DataFormatException(FilePath, $"tensor of {numel} elements is a view of storage '{record.Storage.Key}' with only {record.Storage.Numel}");
        }
        using DisposeScope scope = NewDisposeScope();
        Tensor storage = empty([record.Storage.Numel], record.Storage.DType, CPU);
        if (bytes.Length > 0)
        {
            storage.bytes = bytes;
        }
        // as_strided honours the saved strides and offset; copying into a fresh tensor makes it contiguous and
        // compact (clone() would keep a transposed layout).
        Tensor view = storage.as_strided(record.Shape, record.Stride, record.StorageOffset);
        return empty(record.Shape, record.Storage.DType, CPU).copy_(view).MoveToOuterDisposeScope();
    }

    private long? TopLevelInt(string key) =>
        Root is PickleDict d && d.TryGetValue(key, out object? v) && v is long l ? l : null;

    private static TorchCheckpoint ReadArchive(string path, ZipArchive zip, bool readStorages)
    {
        ZipArchiveEntry[] pickles = zip.Entries
            .Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal))
            .ToArray();
        if (pickles.Length != 1)
        {
            throw new DataFormatException(path, $"expected exactly one data.pkl in the zip, found {pickles.Length}");
        }
        string prefix = pickles[0].FullName[..^"data.pkl".Length];
        ZipArchiveEntry? byteOrder = zip.GetEntry(prefix + "byteorder");
        if (byteOrder is not null && ReadEntry(path, byteOrder, 16) is var bo && System.Text.Encoding.ASCII.GetString(bo) != "little")
        {
            throw new UnsupportedDataException(path, "big-endian checkpoints are not supported");
        }
        byte[] pickle = ReadEntry(path, pickles[0], int.MaxValue);
        return Parse(path, $"{path}:{pickles[0].FullName}", pickle, readStorages ? ReadStorage : null);

        byte[] ReadStorage(TorchStorageRef s)
        {
            string name = prefix + "data/" + s.Key;
            ZipArchiveEntry entry = zip.GetEntry(name)
                ?? throw new DataFormatException(path, $"storage record '{name}' is missing from the archive");
            long need = checked(s.Numel * s.ElementSize);
            if (entry.Length != need)
            {
                throw new DataFormatException(path, $"storage record '{name}' has {entry.Length} bytes, {need} expected ({s.Numel} × {s.DType})");
            }
            return ReadEntry(path, entry, need);
        }
    }

    /// <summary>
    /// Unpickles <paramref name="pickle"/> and fetches the bytes of every storage it names. Separate from the zip
    /// handling so fuzz tests can run it in memory.
    /// </summary>
    internal static TorchCheckpoint Parse(string path, string pickleName, byte[] pickle, Func<TorchStorageRef, byte[]>? readStorage)
    {
        var resolver = new TorchPickleResolver();
        object? root = PickleReader.Load(pickle, pickleName, resolver);
        var storageBytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (TorchStorageRef s in readStorage is null ? [] : resolver.Storages.Values)
        {
            byte[] bytes = readStorage!(s);
            long need = checked(s.Numel * s.ElementSize);
            if (bytes.Length != need)
            {
                throw new DataFormatException(path, $"storage record '{s.Key}' has {bytes.Length} bytes, {need} expected ({s.Numel} × {s.DType})");
            }
            storageBytes[s.Key] = bytes;
        }
        return new TorchCheckpoint(path, root, storageBytes);
    }

    private static byte[] ReadEntry(string path, ZipArchiveEntry entry, long maxBytes)
    {
        long n = Math.Min(entry.Length, maxBytes);
        if (n > Array.MaxLength)
        {
            throw new UnsupportedDataException(path, $"zip entry '{entry.FullName}' is too large ({entry.Length} bytes)");
        }
        byte[] buffer = new byte[n];
        using Stream s = entry.Open();
        try
        {
            s.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, $"zip entry '{entry.FullName}' is truncated", e);
        }
        return buffer;
    }
}
