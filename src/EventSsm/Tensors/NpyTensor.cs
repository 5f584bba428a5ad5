using TorchSharp;
using EventSsm.IO.Numpy;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>Converts between <see cref="NpyArray"/> and TorchSharp tensors (scalar dtypes only, C order).</summary>
public static class NpyTensor
{
    public static Tensor ToTensor(NpyArray a)
    {
        long[] shape = a.Shape;
        return (a.DType.Kind, a.DType.ItemSize) switch
        {
            ('f', 4) => tensor(a.ToArray<float>(), shape),
            ('f', 8) => tensor(a.ToArray<double>(), shape),
            ('i', 8) => tensor(a.ToArray<long>(), shape),
            ('i', 4) => tensor(a.ToArray<int>(), shape),
            ('i', 2) => tensor(a.ToArray<short>(), shape),
            ('i', 1) => tensor(a.ToArray<sbyte>(), shape),
            ('u', 1) => tensor(a.ToArray<byte>(), shape),
            ('b', 1) => tensor(a.ToArray<bool>(), shape),
            ('u', 2) => tensor(a.ToArray<ushort>().Select(v => (int)v).ToArray(), shape),
            ('u', 4) => tensor(a.ToArray<uint>().Select(v => (long)v).ToArray(), shape),
            _ => throw new NotSupportedException($"dtype {a.DType} has no tensor conversion"),
        };
    }

    public static Tensor ReadTensor(string path) => ToTensor(NpyFile.Read(path));

    public static NpyArray FromTensor(Tensor t)
    {
        using Tensor c = t.detach().cpu().contiguous();
        long[] shape = c.shape;
        return c.dtype switch
        {
            ScalarType.Float32 => NpyArray.FromArray(c.data<float>().ToArray(), shape),
            ScalarType.Float64 => NpyArray.FromArray(c.data<double>().ToArray(), shape),
            ScalarType.Int64 => NpyArray.FromArray(c.data<long>().ToArray(), shape),
            ScalarType.Int32 => NpyArray.FromArray(c.data<int>().ToArray(), shape),
            ScalarType.Int16 => NpyArray.FromArray(c.data<short>().ToArray(), shape),
            ScalarType.Int8 => NpyArray.FromArray(c.data<sbyte>().ToArray(), shape),
            ScalarType.Byte => NpyArray.FromArray(c.data<byte>().ToArray(), shape),
            ScalarType.Bool => NpyArray.FromArray(c.data<bool>().ToArray(), shape),
            _ => throw new NotSupportedException($"tensor dtype {c.dtype} has no .npy conversion"),
        };
    }

    /// <summary>Reads every member of an .npz as a tensor (e.g. a state dict saved with np.savez).</summary>
    public static Dictionary<string, Tensor> ReadNpzTensors(string path)
    {
        using NpzFile npz = NpzFile.Open(path);
        return npz.Keys.ToDictionary(k => k, k => ToTensor(npz.Read(k)), StringComparer.Ordinal);
    }
}
