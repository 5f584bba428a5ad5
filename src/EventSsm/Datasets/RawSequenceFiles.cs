namespace EventSsm.Datasets;

/// <summary>One raw sequence of a split: <c>&lt;seq&gt;_td.{dat.h5,h5,dat,raw,hdf5}</c> and <c>&lt;seq&gt;_bbox.npy</c>.</summary>
public sealed record RawSequenceFiles(string Split, string Name, string EventsPath, string BoxesPath)
{
    /// <summary>Event file suffixes, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> EventSuffixes = ["_td.dat.h5", "_td.h5", "_td.dat", "_td.raw", "_td.hdf5"];

    public const string BoxesSuffix = "_bbox.npy";

    /// <summary>
    /// The sequences of <paramref name="splitDir"/>, sorted by name. Throws FileNotFoundException when an event file
    /// has no bbox file, and ArgumentException when a sequence has two event files.
    /// </summary>
    public static IReadOnlyList<RawSequenceFiles> Find(string splitDir, string split)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(splitDir))
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
                throw new ArgumentException($"{splitDir}: sequence {name} has two event files ({Path.GetFileName(other)} and {fileName}); keep one");
            }
            found[name] = file;
        }
        var result = new List<RawSequenceFiles>(found.Count);
        foreach ((string name, string events) in found)
        {
            string boxes = Path.Combine(splitDir, name + BoxesSuffix);
            if (!File.Exists(boxes))
            {
                throw new FileNotFoundException($"{boxes}: bbox file of sequence {name} not found (next to {Path.GetFileName(events)})", boxes);
            }
            result.Add(new RawSequenceFiles(split, name, events, boxes));
        }
        return result;
    }
}
