namespace EventSsm.Datasets;

/// <summary>A split (train/val/test) of a preprocessed dataset directory.</summary>
public sealed class PreprocessedDataset
{
    private PreprocessedDataset(string root, string split, DatasetDescription dataset, IReadOnlyList<PreprocessedSequence> sequences)
    {
        Root = root;
        Split = split;
        Dataset = dataset;
        Sequences = sequences;
    }

    public string Root { get; }

    public string Split { get; }

    /// <summary>The dataset the sequences were preprocessed for (classes, sensor, downsampling, evaluation filter).</summary>
    public DatasetDescription Dataset { get; }

    public IReadOnlyList<PreprocessedSequence> Sequences { get; }

    /// <summary>
    /// Loads every sequence directory of <paramref name="split"/>, sorted by name. (The original iterates the
    /// directory unsorted; sorting makes runs reproducible across file systems.)
    /// </summary>
    public static PreprocessedDataset Load(string root, string split, DatasetDescription dataset, string representationName = PreprocessedSequence.DefaultRepresentationName)
    {
        string dir = Path.Combine(root, split);
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"{root}: no '{split}' split directory (expected {dir})");
        }
        var seqs = Directory.GetDirectories(dir)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(d => PreprocessedSequence.Load(d, dataset, representationName))
            .ToList();
        if (seqs.Count == 0)
        {
            throw new DirectoryNotFoundException($"{dir}: no preprocessed sequences");
        }
        return new PreprocessedDataset(root, split, dataset, seqs);
    }
}
