using EventSsm.IO;

namespace EventSsm.Labels;

/// <summary>
/// A dataset's classes and how the class ids of its label files become them (docs/DATA.md §8.2): the model predicts
/// <see cref="Names"/> by index; label-file id k becomes class <c>Targets[k]</c>, several ids may become one class,
/// an id whose target is null is dropped, and an id past the end of <c>Targets</c> is an error (the file is
/// not of this dataset).
/// </summary>
public sealed class ClassMap
{
    private readonly int[] _targets;

    private ClassMap(IReadOnlyList<string> names, int[] targets)
    {
        Names = names;
        _targets = targets;
    }

    /// <summary>Class names, indexed by the class id the model predicts.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>How many class ids a label file may use (0 .. count − 1).</summary>
    public int FileClassCount => _targets.Length;

    /// <summary>Every file id is the class of the same index: nothing is renamed or dropped.</summary>
    public bool IsIdentity => _targets.Length == Names.Count && _targets.Select((t, i) => t == i).All(x => x);

    /// <summary>Label-file ids are the classes themselves.</summary>
    public static ClassMap Identity(IReadOnlyList<string> names)
    {
        CheckNames(names);
        return new ClassMap([.. names], Enumerable.Range(0, names.Count).ToArray());
    }

    /// <summary>
    /// A map from label-file ids to classes: <paramref name="fileIdTargets"/>[k] names the class that file id k becomes,
    /// or is null to drop it. Throws ArgumentException naming a target that is not in <paramref name="names"/>.
    /// </summary>
    public static ClassMap Create(IReadOnlyList<string> names, IReadOnlyList<string?> fileIdTargets)
    {
        CheckNames(names);
        ArgumentNullException.ThrowIfNull(fileIdTargets);
        if (fileIdTargets.Count == 0)
        {
            throw new ArgumentException("the map from label-file class ids is empty");
        }
        var targets = new int[fileIdTargets.Count];
        for (int k = 0; k < targets.Length; k++)
        {
            string? target = fileIdTargets[k];
            if (target is null)
            {
                targets[k] = -1;
                continue;
            }
            int index = IndexOf(names, target);
            if (index < 0)
            {
                throw new ArgumentException($"label-file class id {k} maps to '{target}', which is not one of the classes ({string.Join(", ", names)})");
            }
            targets[k] = index;
        }
        for (int i = 0; i < names.Count; i++)
        {
            if (!targets.Contains(i))
            {
                throw new ArgumentException($"no label-file class id maps to class '{names[i]}'");
            }
        }
        return new ClassMap([.. names], targets);
    }

    /// <summary>The class a label-file id becomes, or null when the id is dropped (or unknown).</summary>
    public int? Target(uint fileClassId) =>
        fileClassId < (uint)_targets.Length && _targets[fileClassId] >= 0 ? _targets[fileClassId] : null;

    /// <summary>
    /// The boxes whose ids map to a class, relabelled with it, in their order. An id this map does not know throws
    /// <see cref="DataFormatException"/> naming <paramref name="fileName"/>, the row and the known ids.
    /// </summary>
    public BoundingBox[] Apply(ReadOnlySpan<BoundingBox> boxes, string? fileName)
    {
        var kept = new List<BoundingBox>(boxes.Length);
        for (int i = 0; i < boxes.Length; i++)
        {
            uint id = boxes[i].ClassId;
            if (id >= (uint)_targets.Length)
            {
                throw new DataFormatException(fileName,
                    $"row {i}: class_id {id} is not a class id of this dataset's label files (0..{_targets.Length - 1}: {Describe()})");
            }
            int target = _targets[id];
            if (target >= 0)
            {
                kept.Add(boxes[i] with { ClassId = (uint)target });
            }
        }
        return kept.ToArray();
    }

    /// <summary>"0 → car, 1 → pedestrian, 2 dropped", for messages and <c>inspect</c>.</summary>
    public string Describe() =>
        string.Join(", ", _targets.Select((t, k) => t >= 0 ? $"{k} → {Names[t]}" : $"{k} dropped"));

    private static void CheckNames(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
        {
            throw new ArgumentException("a dataset needs at least one class");
        }
        for (int i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                throw new ArgumentException($"class {i} has no name");
            }
            if (IndexOf(names, names[i]) != i)
            {
                throw new ArgumentException($"class name '{names[i]}' appears twice");
            }
        }
        if (names.Count > 256)
        {
            // Preprocessed labels store class_id as uint8 (docs/DATA.md §1.2).
            throw new ArgumentException($"{names.Count} classes: at most 256 fit the preprocessed labels' uint8 class_id");
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
