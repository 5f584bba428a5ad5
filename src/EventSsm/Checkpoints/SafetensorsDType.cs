using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>The safetensors dtype names we read and write, and their TorchSharp equivalents.</summary>
internal static class SafetensorsDType
{
    private static readonly (string Name, ScalarType Type, int Size)[] s_table =
    [
        ("F32", ScalarType.Float32, 4),
        ("F64", ScalarType.Float64, 8),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("I64", ScalarType.Int64, 8),
        ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    public static bool TryFromName(string name, out ScalarType type, out int size)
    {
        foreach ((string n, ScalarType t, int s) in s_table)
        {
            if (n == name)
            {
                (type, size) = (t, s);
                return true;
            }
        }
        (type, size) = (ScalarType.Float32, 0);
        return false;
    }

    public static string ToName(ScalarType type)
    {
        foreach ((string n, ScalarType t, int _) in s_table)
        {
            if (t == type)
            {
                return n;
            }
        }
        throw new NotSupportedException($"tensor dtype {type} cannot be written to safetensors");
    }
}
