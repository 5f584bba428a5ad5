using TorchSharp;
using EventSsm.IO.Numpy;
using static TorchSharp.torch;

namespace EventSsm.Tensors;

/// <summary>Converts between <see cref="NpyArray"/> and TorchSharp tensors (scalar dtypes only, C order).</summary>
public static class NpyTensor
{
    /// <summary>The array as a CPU tensor: files are read into host memory, whatever torch's default device.</summary>
    public static Tensor ToTensor(NpyArray a)
    {
        long[] shape = a.Shape;
        return (a.DType.Kind, a.DType.ItemSize) switch
        {
            ('f', 4) => tensor(a.ToArray<float>(), shape, device: CPU),
            ('f', 8) => tensor(a.ToArray<double>(), shape, device: CPU),
            ('i', 8) => tensor(a.ToArray<long>(), shape, device: CPU),
            ('i', 4) => tensor(a.ToArray<int>(), shape, device: CPU),
            ('i', 2) => tensor(a.ToArray<short>(), shape, device: CPU),
            ('i', 1) => tensor(a.ToArray<sbyte>(), shape, device: CPU),
            ('u', 1) => tensor(a.ToArray<byte>(), shape, device: CPU),
            ('b', 1) => tensor(a.ToArray<bool>(), shape, device: CPU),
            ('u', 2) => tensor(a.ToArray<ushort>().Select(v => (int)v).ToArray(), shape, device: CPU),
            ('u', 4) => tensor(a.ToArray<uint>().Select(v => (long)v).ToArray(), shape, device: CPU),
            _ => throw new NotSupportedException($"dtype {a.DType} has no tensor conversion"),
        };
    }

    /// <summary>Reads a .npy file as a CPU tensor.</summary>
    public static Tensor ReadTensor(string path) => ToTensor(NpyFile.Read(path));

    /// <summary>The tensor's values as a C-order array (copied to the CPU).</summary>
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
