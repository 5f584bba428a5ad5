namespace EventSsm.Checkpoints.Pickle;

/// <summary>
/// A Python dict (or OrderedDict / defaultdict) from a pickle, keeping insertion order as Python does. Keys are
/// compared with .NET equality, which is value equality for the strings and integers checkpoints use.
/// </summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    public int Count => _items.Count;

    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    public IEnumerable<object> Keys => _items.Select(kv => kv.Key);

    /// <summary>The argument of a BUILD opcode on the dict (torch stores the state_dict's <c>_metadata</c> there).</summary>
    public object? State { get; internal set; }

    public object? this[object key] => _items[_index[key]].Value;

    public bool ContainsKey(object key) => _index.ContainsKey(key);

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
