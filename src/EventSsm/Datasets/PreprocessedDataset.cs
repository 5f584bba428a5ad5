using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>A split (train/val/test) of a preprocessed dataset directory.</summary>
public sealed class PreprocessedDataset
{
    private PreprocessedDataset(string root, string split, DatasetKind kind, IReadOnlyList<PreprocessedSequence> sequences)
    {
        Root = root;
        Split = split;
        Kind = kind;
        Sequences = sequences;
    }

    public string Root { get; }

    public string Split { get; }

    public DatasetKind Kind { get; }

    public IReadOnlyList<PreprocessedSequence> Sequences { get; }

    /// <summary>
    /// Loads every sequence directory of <paramref name="split"/>, sorted by name. (The original iterates the
    /// directory unsorted; sorting makes runs reproducible across file systems.)
    /// </summary>
    public static PreprocessedDataset Load(string root, string split, DatasetKind kind, string representationName = PreprocessedSequence.DefaultRepresentationName)
    {
        string dir = Path.Combine(root, split);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"{root}: no '{split}' split directory (expected {dir})");
        }
        var seqs = Directory.GetDirectories(dir)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(d => PreprocessedSequence.Load(d, kind, representationName))
            .ToList();
        if (seqs.Count == 0)
        {
            throw new DirectoryNotFoundException($"{dir}: no preprocessed sequences");
        }
        return new PreprocessedDataset(root, split, kind, seqs);
    }
}
