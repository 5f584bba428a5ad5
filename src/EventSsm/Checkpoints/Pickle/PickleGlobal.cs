namespace EventSsm.Checkpoints.Pickle;

/// <summary>A class or function reference from a GLOBAL / STACK_GLOBAL opcode. It is a name only; nothing is imported.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    /// <summary><c>module.name</c>, as Python prints it.</summary>
    public override string ToString() => $"{Module}.{Name}";

    /// <summary>Python 2 pickles name builtins <c>__builtin__</c>, Python 3 ones <c>builtins</c>.</summary>
    public bool Is(string module, string name) =>
        Name == name && (Module == module || (module == "builtins" && Module == "__builtin__"));
}
