using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>Maps the legacy typed-storage class names that torch.save writes to TorchSharp dtypes.</summary>
internal static class TorchStorageTypes
{
    public static bool TryGet(string className, out ScalarType dtype, out int elementSize)
    {
        (dtype, elementSize) = className switch
        {
            "FloatStorage" => (ScalarType.Float32, 4),
            "DoubleStorage" => (ScalarType.Float64, 8),
            "HalfStorage" => (ScalarType.Float16, 2),
            "BFloat16Storage" => (ScalarType.BFloat16, 2),
            "LongStorage" => (ScalarType.Int64, 8),
            "IntStorage" => (ScalarType.Int32, 4),
            "ShortStorage" => (ScalarType.Int16, 2),
            "CharStorage" => (ScalarType.Int8, 1),
            "ByteStorage" => (ScalarType.Byte, 1),
            "BoolStorage" => (ScalarType.Bool, 1),
            "ComplexFloatStorage" => (ScalarType.ComplexFloat32, 8),
            "ComplexDoubleStorage" => (ScalarType.ComplexFloat64, 16),
            _ => (ScalarType.Float32, 0),
        };
        return elementSize > 0;
    }
}
