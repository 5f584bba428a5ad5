namespace EventSsm.Datasets;

/// <summary>
/// How the recordings and label files of a sequence are laid out in a raw dataset (docs/DATA.md §8.7).
/// </summary>
public enum RawLayoutKind
{
    /// <summary><c>&lt;split&gt;/&lt;seq&gt;_td.&lt;ext&gt;</c> beside <c>&lt;seq&gt;_bbox.npy</c> (Gen1, 1Mpx, eTraM).</summary>
    Prophesee,

    /// <summary>
    /// A folder per sequence: <c>&lt;split&gt;/&lt;seq&gt;/events/left/events.h5</c> and
    /// <c>&lt;seq&gt;/object_detections/left/tracks.npy</c> (DSEC-Det).
    /// </summary>
    Dsec,

    /// <summary>
    /// Label-led: every <c>&lt;split&gt;/&lt;name&gt;_bbox.npy</c> with the one recording named <c>&lt;name&gt;</c> or
    /// <c>&lt;name&gt;_td</c> beside it, in any format EventSsm reads (your own recordings).
    /// </summary>
    Folder,
}

/// <summary>Where preprocessing finds the sequences of a split (docs/DATA.md §8.7).</summary>
public sealed record RawLayout
{
    /// <summary>The placeholder in folder patterns that stands for the split name.</summary>
    public const string SplitPlaceholder = "{split}";

    public RawLayoutKind Kind { get; init; } = RawLayoutKind.Prophesee;

    /// <summary>
    /// Folders of a split under the raw root, <c>{split}</c> standing for its name; a <c>*</c> in the last part matches
    /// any text (eTraM ships <c>train_h5_1</c> … <c>train_h5_N</c>). Sequences of all matching folders make the split.
    /// </summary>
    public IReadOnlyList<string> SplitFolders { get; init; } = [SplitPlaceholder];

    /// <summary>
    /// A folder under the raw root holding the <c>&lt;seq&gt;_bbox.npy</c> files instead of the events' folder (eTraM's
    /// 8-class labels: <c>class annotations/eight_class_annotations_{split}</c>); null: beside the events.
    /// Prophesee layout only.
    /// </summary>
    public string? LabelsFolder { get; init; }

    /// <summary>
    /// Sequences skipped before anything is read (the original's gen1 <c>dirs_to_ignore</c>, docs/DATA.md §2).
    /// </summary>
    public IReadOnlySet<string> SkipSequences { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Throws ArgumentException for a pattern that could leave the raw root or has no split in it.</summary>
    public void Validate()
    {
        if (SplitFolders.Count == 0)
        {
            throw new ArgumentException("no split folder patterns");
        }
        foreach (string pattern in SplitFolders.Concat(LabelsFolder is null ? [] : [LabelsFolder]))
        {
            if (pattern.Length == 0 || Path.IsPathRooted(pattern) || pattern.Replace('\\', '/').Split('/').Any(p => p is "" or "." or ".."))
            {
                throw new ArgumentException($"folder pattern '{pattern}' must be a relative path below the raw dataset folder");
            }
        }
        foreach (string pattern in SplitFolders)
        {
            if (!pattern.Contains(SplitPlaceholder, StringComparison.Ordinal))
            {
                throw new ArgumentException($"split folder pattern '{pattern}' does not contain {SplitPlaceholder}");
            }
            if (Path.GetDirectoryName(pattern.Replace('\\', '/'))?.Contains('*') == true)
            {
                throw new ArgumentException($"split folder pattern '{pattern}': only its last part may contain *");
            }
        }
    }
}
