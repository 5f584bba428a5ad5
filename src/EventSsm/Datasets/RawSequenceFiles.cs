using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// One raw sequence of a split: its recording and its label file, found in one of the layouts of docs/DATA.md §8.7
/// (<c>&lt;seq&gt;_td.{dat.h5,h5,dat,raw,hdf5}</c> with <c>&lt;seq&gt;_bbox.npy</c>, DSEC-Det's sequence folders, or a
/// folder of any recordings with their <c>_bbox.npy</c> files).
/// </summary>
public sealed record RawSequenceFiles(string Split, string Name, string EventsPath, string BoxesPath)
{
    /// <summary>Event file suffixes of the Prophesee layout, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> EventSuffixes = ["_td.dat.h5", "_td.h5", "_td.dat", "_td.raw", "_td.hdf5"];

    /// <summary>Recording extensions of the folder layout (every format <c>EventRecording.Open</c> reads).</summary>
    public static readonly IReadOnlyList<string> RecordingExtensions = [".dat.h5", ".h5", ".hdf5", ".dat", ".raw", ".csv", ".txt"];

    public const string BoxesSuffix = "_bbox.npy";

    /// <summary>
    /// The sequences of <paramref name="split"/> under <paramref name="rawDir"/> in <paramref name="layout"/>, sorted by
    /// name (ordinal). Empty when no folder of the split exists. Throws FileNotFoundException when a recording has no
    /// label file (or labels no recording), and ArgumentException when a name is found twice.
    /// </summary>
    public static IReadOnlyList<RawSequenceFiles> Find(string rawDir, string split, RawLayout layout)
    {
        ArgumentNullException.ThrowIfNull(rawDir);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(layout);
        string? labelsDir = layout.LabelsFolder is { } lf && layout.Kind == RawLayoutKind.Prophesee
            ? Path.Combine(rawDir, lf.Replace(RawLayout.SplitPlaceholder, split, StringComparison.Ordinal))
            : null;
        if (labelsDir is not null && !Directory.Exists(labelsDir) && SplitFolders(rawDir, split, layout).Count > 0)
        {
            throw new DirectoryNotFoundException($"{labelsDir}: label folder of split {split} not found (dataset.raw.labels_folder)");
        }
        var found = new SortedDictionary<string, RawSequenceFiles>(StringComparer.Ordinal);
        foreach (string folder in SplitFolders(rawDir, split, layout))
        {
            IEnumerable<RawSequenceFiles> sequences = layout.Kind switch
            {
                RawLayoutKind.Dsec => FindDsec(folder, split),
                RawLayoutKind.Folder => FindFolder(folder, split),
                _ => FindProphesee(folder, split, labelsDir ?? folder),
            };
            foreach (RawSequenceFiles seq in sequences)
            {
                if (found.TryGetValue(seq.Name, out RawSequenceFiles? other))
                {
                    throw new ArgumentException($"{rawDir}: sequence {seq.Name} of split {split} is found twice ({other.EventsPath} and {seq.EventsPath}); keep one");
                }
                found[seq.Name] = seq;
            }
        }
        return [.. found.Values];
    }

    /// <summary>The existing folders of a split (the layout's patterns, <c>*</c> expanded), sorted.</summary>
    public static IReadOnlyList<string> SplitFolders(string rawDir, string split, RawLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string pattern in layout.SplitFolders)
        {
            string relative = pattern.Replace(RawLayout.SplitPlaceholder, split, StringComparison.Ordinal);
            string? parentPart = Path.GetDirectoryName(relative);
            string parent = string.IsNullOrEmpty(parentPart) ? rawDir : Path.Combine(rawDir, parentPart);
            string last = Path.GetFileName(relative);
            if (!last.Contains('*'))
            {
                string dir = Path.Combine(parent, last);
                if (Directory.Exists(dir))
                {
                    folders.Add(dir);
                }
            }
            else if (Directory.Exists(parent))
            {
                foreach (string dir in Directory.EnumerateDirectories(parent, last))
                {
                    folders.Add(dir);
                }
            }
        }
        return [.. folders];
    }

    private static IEnumerable<RawSequenceFiles> FindProphesee(string folder, string split, string labelsDir)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            string fileName = Path.GetFileName(file);
            string? suffix = EventSuffixes.FirstOrDefault(s => fileName.EndsWith(s, StringComparison.Ordinal));
            if (suffix is null || fileName.Length == suffix.Length)
            {
                continue;
            }
            string name = fileName[..^suffix.Length];
            if (found.TryGetValue(name, out string? other))
            {
                throw new ArgumentException($"{folder}: sequence {name} has two event files ({Path.GetFileName(other)} and {fileName}); keep one");
            }
            found[name] = file;
        }
        foreach ((string name, string events) in found)
        {
            string boxes = Path.Combine(labelsDir, name + BoxesSuffix);
            if (!File.Exists(boxes))
            {
                throw new FileNotFoundException($"{boxes}: bbox file of sequence {name} not found (for {events})", boxes);
            }
            yield return new RawSequenceFiles(split, name, events, boxes);
        }
    }

    private static IEnumerable<RawSequenceFiles> FindDsec(string folder, string split)
    {
        foreach (string dir in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            string events = DsecDetLabels.EventsPath(dir);
            if (!File.Exists(events))
            {
                continue;
            }
            string tracks = DsecDetLabels.TracksPath(dir);
            if (!File.Exists(tracks))
            {
                throw new FileNotFoundException($"{tracks}: labels of DSEC sequence {Path.GetFileName(dir)} not found (for {events})", tracks);
            }
            yield return new RawSequenceFiles(split, Path.GetFileName(dir), events, tracks);
        }
    }

    private static IEnumerable<RawSequenceFiles> FindFolder(string folder, string split)
    {
        foreach (string boxes in Directory.EnumerateFiles(folder, "*" + BoxesSuffix).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(boxes)[..^BoxesSuffix.Length];
            if (name.Length == 0)
            {
                continue;
            }
            string[] recordings =
            [
                .. from stem in new[] { name, name + "_td" }
                   from ext in RecordingExtensions
                   let path = Path.Combine(folder, stem + ext)
                   where File.Exists(path)
                   select path,
            ];
            if (recordings.Length == 0)
            {
                throw new FileNotFoundException(
                    $"{boxes}: no recording {name}.<ext> or {name}_td.<ext> beside it in {folder} ({string.Join(", ", RecordingExtensions)})");
            }
            if (recordings.Length > 1)
            {
                throw new ArgumentException($"{folder}: sequence {name} has several recordings ({string.Join(", ", recordings.Select(Path.GetFileName))}); keep one");
            }
            yield return new RawSequenceFiles(split, name, recordings[0], boxes);
        }
    }
}
