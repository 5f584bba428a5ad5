namespace EventSsm.Checkpoints.Pickle;

/// <summary>Where in which file an opcode is being applied, for error messages raised by a resolver.</summary>
public readonly record struct PickleContext(string FileName, int Offset);
