using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EventSsm.IO.Numpy;

/// <summary>Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0).</summary>
public static class NpyFile
{
    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole .npy file (format versions 1–3, both endians, scalar and structured dtypes).</summary>
    public static NpyArray Read(string path)
    {
        using var fs = OpenRead(path);
        return Read(fs, path, fs.Length);
    }

    /// <summary>Reads only the header: dtype and shape, without the data.</summary>
    public static (NpyDType DType, long[] Shape) ReadHeader(string path)
    {
        using var fs = OpenRead(path);
        (NpyDType dt, long[] shape, _, _) = ReadHeader(fs, path, fs.Length);
        return (dt, shape);
    }

    /// <summary>Reads one array from <paramref name="stream"/>; <paramref name="length"/> bounds what may be read.</summary>
    public static NpyArray Read(Stream stream, string? name, long length)
    {
        (NpyDType dtype, long[] shape, bool fortran, long headerBytes) = ReadHeader(stream, name, length);
        long count = NpyArray.CountOf(shape);
        long dataBytes;
        try
        {
            dataBytes = checked(count * dtype.ItemSize);
        }
        catch (OverflowException)
        {
            throw new DataFormatException(name, $"shape ({string.Join(", ", shape)}) is too large");
        }
        long remaining = length - headerBytes;
        if (dataBytes > remaining)
        {
            throw new DataFormatException(name, $"truncated: the header declares {dataBytes} data bytes (shape ({string.Join(", ", shape)}), dtype {dtype}) but only {remaining} remain");
        }
        if (dataBytes > Array.MaxLength)
        {
            throw new UnsupportedDataException(name, $"array of {dataBytes} bytes is larger than one managed buffer");
        }
        var data = new byte[dataBytes];
        try
        {
            stream.ReadExactly(data);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(name, $"truncated: expected {dataBytes} data bytes", e);
        }
        if (dtype.BigEndianOnDisk || dtype.Fields.Any(f => f.Type.BigEndianOnDisk))
        {
            SwapToLittleEndian(data, dtype);
        }
        if (fortran && shape.Length > 1)
        {
            data = FortranToC(data, shape, dtype.ItemSize);
        }
        return new NpyArray(LittleEndianOf(dtype), shape, data);
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: file not found", path, e);
        }
    }

    internal static (NpyDType, long[], bool, long) ReadHeader(Stream s, string? name, long length)
    {
        Span<byte> pre = stackalloc byte[12];
        if (length < 10)
        {
            throw new DataFormatException(name, $"not a .npy file: only {length} bytes");
        }
        s.ReadExactly(pre[..10]);
        if (!pre[..6].SequenceEqual(s_magic))
        {
            throw new DataFormatException(name, "not a .npy file: wrong magic (expected \\x93NUMPY)");
        }
        byte major = pre[6];
        long headerLen;
        int prefix;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
            prefix = 10;
        }
        else if (major is 2 or 3)
        {
            if (length < 12)
            {
                throw new DataFormatException(name, "truncated .npy header");
            }
            s.ReadExactly(pre[10..12]);
            headerLen = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
            prefix = 12;
        }
        else
        {
            throw new UnsupportedDataException(name, $".npy format version {major}.{pre[7]} is not supported (1.0, 2.0, 3.0 are)");
        }
        if (headerLen > length - prefix || headerLen > 1 << 24)
        {
            throw new DataFormatException(name, $"truncated: header length {headerLen} exceeds the file");
        }
        var hb = new byte[headerLen];
        s.ReadExactly(hb);
        string header = major == 3 ? Encoding.UTF8.GetString(hb) : Encoding.Latin1.GetString(hb);
        Dictionary<string, object?> dict;
        try
        {
            dict = PyLiteral.Parse(header.TrimEnd('\n', ' ', '\0')) as Dictionary<string, object?>
                ?? throw new FormatException("header is not a dict");
        }
        catch (FormatException e)
        {
            throw new DataFormatException(name, $"malformed .npy header: {e.Message}", e);
        }
        if (!dict.TryGetValue("descr", out object? descr) || !dict.TryGetValue("shape", out object? shapeObj) ||
            !dict.TryGetValue("fortran_order", out object? fo) || fo is not bool fortran)
        {
            throw new DataFormatException(name, "malformed .npy header: missing 'descr', 'fortran_order' or 'shape'");
        }
        NpyDType dtype;
        try
        {
            dtype = NpyDType.FromDescr(descr);
        }
        catch (NotSupportedException e)
        {
            throw new UnsupportedDataException(name, e.Message, e);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException or OverflowException or NullReferenceException)
        {
            throw new DataFormatException(name, $"malformed dtype in .npy header: {e.Message}", e);
        }
        if (shapeObj is not List<object?> dims || dims.Any(d => d is not long v || v < 0))
        {
            throw new DataFormatException(name, "malformed .npy header: shape must be a tuple of non-negative integers");
        }
        long[] shape = dims.Select(d => (long)d!).ToArray();
        return (dtype, shape, fortran, prefix + headerLen);
    }

    private static NpyDType LittleEndianOf(NpyDType dt)
    {
        if (dt.IsStructured)
        {
            return dt.Fields.Any(f => f.Type.BigEndianOnDisk)
                ? NpyDType.Structured(dt.Fields.Select(f => f with { Type = NpyDType.Scalar(f.Type.Kind, f.Type.ItemSize) }).ToArray(), dt.ItemSize)
                : dt;
        }
        return dt.BigEndianOnDisk ? NpyDType.Scalar(dt.Kind, dt.ItemSize) : dt;
    }

    private static void SwapToLittleEndian(byte[] data, NpyDType dt)
    {
        if (!dt.IsStructured)
        {
            SwapElements(data.AsSpan(), dt, dt.ItemSize, 0);
            return;
        }
        foreach (NpyField f in dt.Fields)
        {
            if (f.Type.BigEndianOnDisk)
            {
                SwapElements(data.AsSpan(), f.Type, dt.ItemSize, f.Offset);
            }
        }
    }

    private static void SwapElements(Span<byte> data, NpyDType t, int stride, int offset)
    {
        // Complex numbers swap each of their two parts.
        int part = t.Kind == 'c' ? t.ItemSize / 2 : t.ItemSize;
        if (part == 1)
        {
            return;
        }
        for (int rec = 0; rec + stride <= data.Length; rec += stride)
        {
            for (int p = 0; p < t.ItemSize; p += part)
            {
                data.Slice(rec + offset + p, part).Reverse();
            }
        }
    }

    private static byte[] FortranToC(byte[] src, long[] shape, int itemSize)
    {
        int nd = shape.Length;
        long n = NpyArray.CountOf(shape);
        var dst = new byte[src.Length];
        var fStride = new long[nd];
        long acc = 1;
        for (int d = 0; d < nd; d++)
        {
            fStride[d] = acc;
            acc *= shape[d];
        }
        var idx = new long[nd];
        for (long c = 0; c < n; c++)
        {
            long f = 0;
            for (int d = 0; d < nd; d++)
            {
                f += idx[d] * fStride[d];
            }
            Buffer.BlockCopy(src, (int)(f * itemSize), dst, (int)(c * itemSize), itemSize);
            for (int d = nd - 1; d >= 0; d--)
            {
                if (++idx[d] < shape[d])
                {
                    break;
                }
                idx[d] = 0;
            }
        }
        return dst;
    }

    /// <summary>Writes <paramref name="array"/> atomically (temp file + rename).</summary>
    public static void Write(string path, NpyArray array) => AtomicFile.Write(path, s => Write(s, array));

    /// <summary>Writes a little-endian, C-order .npy (version 1.0, or 2.0 when the header needs it).</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        WriteHeader(stream, array.DType, array.Shape);
        stream.Write(array.Data);
    }

    /// <summary>
    /// Writes only the header of a C-order .npy; the caller then writes exactly count·itemsize data bytes. Lets large
    /// arrays be streamed to disk piece by piece.
    /// </summary>
    public static void WriteHeader(Stream stream, NpyDType dtype, IReadOnlyList<long> shapeDims)
    {
        string shape = shapeDims.Count switch
        {
            0 => "()",
            1 => $"({shapeDims[0]},)",
            _ => "(" + string.Join(", ", shapeDims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string dict = $"{{'descr': {dtype.ToDescr()}, 'fortran_order': False, 'shape': {shape}, }}";
        int major = 1;
        int prefix = 10;
        int total = Align64(prefix + dict.Length + 1);
        if (total - prefix > ushort.MaxValue)
        {
            major = 2;
            prefix = 12;
            total = Align64(prefix + dict.Length + 1);
        }
        string header = dict.PadRight(total - prefix - 1) + "\n";
        Span<byte> pre = stackalloc byte[12];
        s_magic.CopyTo(pre);
        pre[6] = (byte)major;
        pre[7] = 0;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(pre[8..], (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pre[8..], (uint)header.Length);
        }
        stream.Write(pre[..prefix]);
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    private static int Align64(int n) => (n + 63) / 64 * 64;
}
