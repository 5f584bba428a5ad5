namespace EventSsm.Checkpoints.Pickle;

/// <summary>
/// An instance of a class the reader does not construct (for example omegaconf's DictConfig in a Lightning
/// checkpoint). It records what the pickle said about it — constructor arguments, BUILD state, appended items and
/// set items — so callers can inspect it, but nothing is ever executed.
/// </summary>
public sealed class PickleObject
{
    /// <summary>
    /// An instance of <paramref name="type"/> made from <paramref name="args"/>, recorded and never constructed.
    /// </summary>
    public PickleObject(PickleGlobal type, object?[] args)
    {
        Type = type;
        Args = args;
    }

    /// <summary>The class the pickle named.</summary>
    public PickleGlobal Type { get; }

    /// <summary>The constructor arguments the pickle gave.</summary>
    public object?[] Args { get; }

    /// <summary>The argument of the last BUILD opcode applied to this object (often a dict of attributes).</summary>
    public object? State { get; internal set; }

    /// <summary>Items added with APPEND / APPENDS.</summary>
    public List<object?> ListItems { get; } = [];

    /// <summary>Pairs added with SETITEM / SETITEMS.</summary>
    public PickleDict DictItems { get; } = new();

    /// <summary><c>&lt;module.name object&gt;</c>.</summary>
    public override string ToString() => $"<{Type} object>";
}
