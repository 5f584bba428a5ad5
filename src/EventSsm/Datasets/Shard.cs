using System.Globalization;

namespace EventSsm.Datasets;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a list of work items (<c>--shard i/N</c>, docs/CLUSTER.md): item k
/// of the list in its stable order (sequences sorted by split and name, recordings by path) belongs to shard k mod N.
/// N jobs with i = 0 … N−1 (a Slurm array, a Kubernetes Indexed Job) together do every item exactly once, and since
/// each item's output depends only on its input, their outputs together equal one unsharded run's.
/// </summary>
public sealed record Shard
{
    public Shard(int index, int count)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            throw new ArgumentException($"shard {index}/{count}: expected i/N with N ≥ 1 and 0 ≤ i < N");
        }
        Index = index;
        Count = count;
    }

    /// <summary>Everything: shard 0 of 1.</summary>
    public static Shard All { get; } = new(0, 1);

    public int Index { get; }

    public int Count { get; }

    public bool IsAll => Count == 1;

    /// <summary>Parses "i/N" (i from 0, as SLURM_ARRAY_TASK_ID with --array=0-(N−1) and JOB_COMPLETION_INDEX give it).</summary>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new ArgumentException($"--shard '{text}': expected i/N, e.g. 0/4 for the first of four jobs");
        }
        return new Shard(index, count);
    }

    /// <summary>Whether item <paramref name="position"/> of the stable order is this shard's.</summary>
    public bool Owns(int position) => position % Count == Index;

    /// <summary>This shard's items of <paramref name="ordered"/>, in order.</summary>
    public IReadOnlyList<T> Select<T>(IReadOnlyList<T> ordered)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        if (IsAll)
        {
            return ordered;
        }
        var mine = new List<T>();
        for (int k = Index; k < ordered.Count; k += Count)
        {
            mine.Add(ordered[k]);
        }
        return mine;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
