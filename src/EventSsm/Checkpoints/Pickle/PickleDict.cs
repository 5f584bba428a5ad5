namespace EventSsm.Checkpoints.Pickle;

/// <summary>
/// A Python dict (or OrderedDict / defaultdict) from a pickle, keeping insertion order as Python does. Keys are
/// compared with .NET equality, which is value equality for the strings and integers checkpoints use.
/// </summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    /// <summary>Number of entries.</summary>
    public int Count => _items.Count;

    /// <summary>The entries in insertion order.</summary>
    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<object> Keys => _items.Select(kv => kv.Key);

    /// <summary>The argument of a BUILD opcode on the dict (torch stores the state_dict's <c>_metadata</c> there).</summary>
    public object? State { get; internal set; }

    /// <summary>The value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public object? this[object key] => _items[_index[key]].Value;

    /// <summary>Whether the dict has <paramref name="key"/>.</summary>
    public bool ContainsKey(object key) => _index.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, if present.</summary>
    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            value = _items[i].Value;
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>Python semantics: assigning an existing key replaces the value and keeps its position.</summary>
    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out int i))
        {
            _items[i] = new KeyValuePair<object, object?>(key, value);
        }
        else
        {
            _index[key] = _items.Count;
            _items.Add(new KeyValuePair<object, object?>(key, value));
        }
    }
}
