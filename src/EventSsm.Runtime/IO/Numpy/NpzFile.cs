using System.IO.Compression;

namespace EventSsm.IO.Numpy;

/// <summary>
/// A NumPy .npz archive (a zip of .npy members, stored as by np.savez or deflated as by np.savez_compressed).
/// Members are read on demand, so a large archive can be inspected without loading every array.
/// </summary>
public sealed class NpzFile : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly string _path;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);

    private NpzFile(string path, ZipArchive zip)
    {
        _path = path;
        _zip = zip;
        foreach (ZipArchiveEntry e in zip.Entries)
        {
            string key = e.FullName.EndsWith(".npy", StringComparison.Ordinal) ? e.FullName[..^4] : e.FullName;
            _entries[key] = e;
        }
    }

    /// <summary>The array names (entry names without .npy).</summary>
    public IReadOnlyCollection<string> Keys => _entries.Keys;

    /// <summary>Opens an .npz archive (stored or deflated) for reading by key.</summary>
    public static NpzFile Open(string path)
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
        try
        {
            return new NpzFile(path, new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: false));
        }
        catch (InvalidDataException e)
        {
            fs.Dispose();
            throw new DataFormatException(path, $"not a valid .npz (zip) archive: {e.Message}", e);
        }
    }

    /// <summary>Reads every member.</summary>
    public static Dictionary<string, NpyArray> ReadAll(string path)
    {
        using NpzFile npz = Open(path);
        return npz.Keys.ToDictionary(k => k, npz.Read, StringComparer.Ordinal);
    }

    /// <summary>Whether the archive has an array named <paramref name="key"/>.</summary>
    public bool Contains(string key) => _entries.ContainsKey(key);

    /// <summary>Reads the array named <paramref name="key"/>.</summary>
    public NpyArray Read(string key)
    {
        if (!_entries.TryGetValue(key, out ZipArchiveEntry? e))
        {
            throw new KeyNotFoundException($"{_path}: no member '{key}' (members: {string.Join(", ", _entries.Keys)})");
        }
        string name = $"{_path}[{key}]";
        try
        {
            using Stream s = e.Open();
            // Deflated members are not seekable; read the declared size into memory first.
            if (e.Length > Array.MaxLength)
            {
                throw new UnsupportedDataException(name, "member larger than one managed buffer");
            }
            var ms = new MemoryStream((int)Math.Max(0, e.Length));
            s.CopyTo(ms);
            ms.Position = 0;
            return NpyFile.Read(ms, name, ms.Length);
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(name, $"corrupt zip member: {ex.Message}", ex);
        }
    }

    /// <summary>Reads only a member's dtype and shape (decompressing just its header).</summary>
    public (NpyDType DType, long[] Shape) ReadHeader(string key)
    {
        if (!_entries.TryGetValue(key, out ZipArchiveEntry? e))
        {
            throw new KeyNotFoundException($"{_path}: no member '{key}' (members: {string.Join(", ", _entries.Keys)})");
        }
        string name = $"{_path}[{key}]";
        try
        {
            using Stream s = e.Open();
            (NpyDType dtype, long[] shape, _, _) = NpyFile.ReadHeader(s, name, e.Length);
            return (dtype, shape);
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(name, $"corrupt zip member: {ex.Message}", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new DataFormatException(name, "truncated .npy header", ex);
        }
    }

    /// <summary>
    /// Every entry carries this date instead of the time of writing (NumPy's), so the same arrays always give the same
    /// bytes: reruns and the shards of a sharded preprocessing equal one run (docs/CLUSTER.md). Midday on 2 January 1980
    /// stays inside the ZIP date range in every time zone.
    /// </summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Writes an archive atomically; <paramref name="compress"/> selects np.savez_compressed's deflate.</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        AtomicFile.Write(path, fs =>
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Create, leaveOpen: true);
            foreach ((string key, NpyArray arr) in arrays)
            {
                ZipArchiveEntry e = zip.CreateEntry(key + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                e.LastWriteTime = EntryTime;
                using Stream s = e.Open();
                NpyFile.Write(s, arr);
            }
        });
    }

    /// <summary>Closes the archive.</summary>
    public void Dispose() => _zip.Dispose();
}
