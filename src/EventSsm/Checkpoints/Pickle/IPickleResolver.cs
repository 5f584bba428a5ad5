using EventSsm.IO;

namespace EventSsm.Checkpoints.Pickle;

/// <summary>
/// Decides what REDUCE / NEWOBJ / BINPERSID produce. Implementations must never load or run code: they either
/// build a known value from the arguments or return an inert <see cref="PickleObject"/>.
/// Invalid arguments for a known callable raise <see cref="IO.DataFormatException"/>.
/// </summary>
public interface IPickleResolver
{
    /// <summary>
    /// What REDUCE / NEWOBJ of <paramref name="callable"/> with <paramref name="args"/> produces: a known value or an
    /// inert <see cref="PickleObject"/>.
    /// </summary>
    object? Call(PickleGlobal callable, object?[] args, PickleContext context);

    /// <summary>What the persistent id <paramref name="pid"/> of a BINPERSID stands for (torch's storages).</summary>
    object? PersistentLoad(object? pid, PickleContext context);

    /// <summary>BUILD on a value the resolver made; return false if that value cannot take state.</summary>
    bool Build(object? target, object? state, PickleContext context);
}
