using EventSsm.IO;

namespace EventSsm.Checkpoints.Pickle;

/// <summary>
/// Builds Python containers (dict, OrderedDict, defaultdict, list) and nothing else; every other class becomes an
/// inert <see cref="PickleObject"/>. Persistent ids are rejected: plain pickles have none.
/// </summary>
public class PickleResolver : IPickleResolver
{
    /// <summary>The shared instance for plain pickles.</summary>
    public static PickleResolver Default { get; } = new();

    /// <inheritdoc />
    public virtual object? Call(PickleGlobal callable, object?[] args, PickleContext context)
    {
        bool isDict = callable.Is("collections", "OrderedDict") || callable.Is("builtins", "dict");
        // defaultdict's single argument is its default factory, which only matters for missing-key lookups.
        bool isDefaultDict = callable.Is("collections", "defaultdict") && args.Length <= 1;
        if ((isDict && args.Length == 0) || isDefaultDict)
        {
            return new PickleDict();
        }
        if (callable.Is("builtins", "list") && args.Length == 0)
        {
            return new List<object?>();
        }
        return new PickleObject(callable, args);
    }

    /// <inheritdoc />
    public virtual object? PersistentLoad(object? pid, PickleContext context) =>
        throw new DataFormatException(context.FileName, $"bad pickle at byte {context.Offset}: persistent id {PickleReader.Describe(pid)} without a storage archive");

    /// <inheritdoc />
    public virtual bool Build(object? target, object? state, PickleContext context) => false;
}
