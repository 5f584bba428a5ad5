using EventSsm.Checkpoints.Pickle;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// The torch.save whitelist on top of the container resolver: storage persistent ids and the tensor / parameter
/// rebuild functions. Nothing outside this list is constructed.
/// </summary>
internal sealed class TorchPickleResolver : PickleResolver
{
    private readonly Dictionary<string, TorchStorageRef> _storages = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, TorchStorageRef> Storages => _storages;

    public override object? Call(PickleGlobal callable, object?[] args, PickleContext context)
    {
        if (callable.Module == "torch._utils")
        {
            switch (callable.Name)
            {
                case "_rebuild_tensor_v2" when args.Length is 6 or 7:
                case "_rebuild_tensor" when args.Length == 4:
                    return RebuildTensor(args, context);
                case "_rebuild_parameter" when args.Length == 3:
                case "_rebuild_parameter_with_state" when args.Length == 4:
                    TorchTensorRecord data = Expect<TorchTensorRecord>(args[0], "parameter data", context);
                    return data with { RequiresGrad = Expect<bool>(args[1], "requires_grad", context), IsParameter = true };
            }
        }
        return base.Call(callable, args, context);
    }

    public override object? PersistentLoad(object? pid, PickleContext context)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage")
        {
            throw Fail(context, $"persistent id {PickleReader.Describe(pid)} is not ('storage', type, key, location, numel)");
        }
        PickleGlobal type = Expect<PickleGlobal>(t[1], "storage type", context);
        string key = Expect<string>(t[2], "storage key", context);
        string location = Expect<string>(t[3], "storage location", context);
        long numel = Expect<long>(t[4], "storage size", context);
        if (type.Module != "torch" || !TorchStorageTypes.TryGet(type.Name, out ScalarType dtype, out int size))
        {
            throw new UnsupportedDataException(context.FileName, $"storage type {type} (key '{key}') is not supported");
        }
        if (numel < 0)
        {
            throw Fail(context, $"storage '{key}' has negative size {numel}");
        }
        if (numel > Array.MaxLength / size)
        {
            throw new UnsupportedDataException(context.FileName, $"storage '{key}' of {numel} elements exceeds the 2 GiB a storage may have here");
        }
        var storage = new TorchStorageRef(key, dtype, size, location, numel);
        if (_storages.TryGetValue(key, out TorchStorageRef? seen))
        {
            if (seen != storage)
            {
                throw Fail(context, $"storage '{key}' is declared twice with different types or sizes");
            }
            return seen;
        }
        _storages[key] = storage;
        return storage;
    }

    public override bool Build(object? target, object? state, PickleContext context) => target is TorchTensorRecord;

    private static TorchTensorRecord RebuildTensor(object?[] args, PickleContext context)
    {
        TorchStorageRef storage = Expect<TorchStorageRef>(args[0], "tensor storage", context);
        long offset = Expect<long>(args[1], "storage offset", context);
        long[] shape = LongTuple(args[2], "size", context);
        long[] stride = LongTuple(args[3], "stride", context);
        bool requiresGrad = args.Length > 4 && Expect<bool>(args[4], "requires_grad", context);
        if (shape.Length != stride.Length)
        {
            throw Fail(context, $"tensor size has {shape.Length} dims but stride has {stride.Length}");
        }
        if (offset < 0 || shape.Any(s => s < 0) || stride.Any(s => s < 0))
        {
            throw Fail(context, "tensor has a negative size, stride or offset");
        }
        // The highest element the view touches must lie inside the storage.
        if (!shape.Contains(0))
        {
            long last = offset;
            for (int i = 0; i < shape.Length; i++)
            {
                last = checked(last + (shape[i] - 1) * stride[i]);
            }
            if (last >= storage.Numel)
            {
                throw Fail(context, $"tensor view (offset {offset}, size [{string.Join(",", shape)}], stride [{string.Join(",", stride)}]) exceeds storage '{storage.Key}' of {storage.Numel} elements");
            }
        }
        return new TorchTensorRecord(storage, offset, shape, stride, requiresGrad, IsParameter: false);
    }

    private static long[] LongTuple(object? v, string what, PickleContext context)
    {
        if (v is not object?[] t)
        {
            throw Fail(context, $"tensor {what} is {PickleReader.Describe(v)}, expected a tuple of ints");
        }
        return t.Select(x => Expect<long>(x, what, context)).ToArray();
    }

    private static T Expect<T>(object? v, string what, PickleContext context)
    {
        if (v is T t)
        {
            return t;
        }
        throw Fail(context, $"{what} is {PickleReader.Describe(v)}, expected {typeof(T).Name}");
    }

    private static DataFormatException Fail(PickleContext context, string reason) =>
        new(context.FileName, $"bad pickle at byte {context.Offset}: {reason}");
}
