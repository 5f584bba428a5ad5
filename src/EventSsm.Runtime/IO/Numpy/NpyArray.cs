using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EventSsm.IO.Numpy;

/// <summary>
/// An n-dimensional NumPy array held as C-ordered little-endian bytes plus its dtype and shape. Scalar arrays are
/// read with <see cref="ToArray{T}"/>; structured arrays field by field with <see cref="GetField{T}"/> or the
/// converting accessors.
/// </summary>
public sealed class NpyArray
{
    /// <summary>
    /// An array of <paramref name="dtype"/> and <paramref name="shape"/> over <paramref name="data"/> (C-order
    /// little-endian bytes, not copied).
    /// </summary>
    public NpyArray(NpyDType dtype, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        long count = CountOf(shape);
        if (checked(count * dtype.ItemSize) != data.LongLength)
        {
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) × item size {dtype.ItemSize} does not match {data.LongLength} bytes");
        }
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>Element type.</summary>
    public NpyDType DType { get; }

    /// <summary>Dimensions; empty for a 0-d array.</summary>
    public long[] Shape { get; }

    /// <summary>Raw C-order little-endian bytes.</summary>
    public byte[] Data { get; }

    /// <summary>Number of elements (records for a structured array).</summary>
    public long Count => CountOf(Shape);

    /// <summary>Product of the dimensions of <paramref name="shape"/> (1 for a 0-d shape).</summary>
    public static long CountOf(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException("negative dimension");
            }
            n = checked(n * d);
        }
        return n;
    }

    /// <summary>A copy of <paramref name="values"/> with shape <paramref name="shape"/> (default: 1-D).</summary>
    public static NpyArray FromArray<T>(T[] values, params long[] shape)
        where T : unmanaged
    {
        NpyDType dt = DTypeOf<T>();
        if (shape.Length == 0)
        {
            shape = [values.LongLength];
        }
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return new NpyArray(dt, shape, bytes);
    }

    /// <summary>A 0-d array holding one value (how np.savez stores Python scalars).</summary>
    public static NpyArray Scalar<T>(T value)
        where T : unmanaged => new(DTypeOf<T>(), [], MemoryMarshal.AsBytes(new[] { value }.AsSpan()).ToArray());

    /// <summary>A zero-filled structured array of <paramref name="count"/> records.</summary>
    public static NpyArray CreateStructured(NpyDType dtype, long count)
    {
        if (!dtype.IsStructured)
        {
            throw new ArgumentException("dtype is not structured", nameof(dtype));
        }
        return new NpyArray(dtype, [count], new byte[checked(count * dtype.ItemSize)]);
    }

    /// <summary>The scalar dtype of the .NET type <typeparamref name="T"/>.</summary>
    public static NpyDType DTypeOf<T>()
        where T : unmanaged
    {
        Type t = typeof(T);
        if (t == typeof(bool)) { return NpyDType.Bool; }
        if (t == typeof(sbyte)) { return NpyDType.Int8; }
        if (t == typeof(byte)) { return NpyDType.UInt8; }
        if (t == typeof(short)) { return NpyDType.Int16; }
        if (t == typeof(ushort)) { return NpyDType.UInt16; }
        if (t == typeof(int)) { return NpyDType.Int32; }
        if (t == typeof(uint)) { return NpyDType.UInt32; }
        if (t == typeof(long)) { return NpyDType.Int64; }
        if (t == typeof(ulong)) { return NpyDType.UInt64; }
        if (t == typeof(Half)) { return NpyDType.Float16; }
        if (t == typeof(float)) { return NpyDType.Float32; }
        if (t == typeof(double)) { return NpyDType.Float64; }
        if (t == typeof(System.Numerics.Complex)) { return NpyDType.Complex128; }
        throw new NotSupportedException($"no NumPy dtype for {t.Name}");
    }

    /// <summary>The elements of a scalar array; <typeparamref name="T"/> must match the dtype exactly.</summary>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        if (DType.IsStructured)
        {
            throw new InvalidOperationException($"array has structured dtype {DType}; read its fields instead");
        }
        RequireExact<T>(DType, "array");
        return MemoryMarshal.Cast<byte, T>(Data).ToArray();
    }

    /// <summary>Elements of a scalar numeric array converted to double (any int/uint/float/bool kind).</summary>
    public double[] ToDoubleArray()
    {
        if (DType.IsStructured)
        {
            throw new InvalidOperationException($"array has structured dtype {DType}; read its fields instead");
        }
        var r = new double[Count];
        for (long i = 0; i < r.LongLength; i++)
        {
            r[i] = ReadDouble(Data.AsSpan((int)(i * DType.ItemSize)), DType);
        }
        return r;
    }

    /// <summary>Elements of a scalar integer array converted to long.</summary>
    public long[] ToInt64Array()
    {
        if (DType.IsStructured || DType.Kind is not ('i' or 'u' or 'b'))
        {
            throw new InvalidOperationException($"array dtype {DType} is not an integer type");
        }
        var r = new long[Count];
        for (long i = 0; i < r.LongLength; i++)
        {
            r[i] = ReadInt64(Data.AsSpan((int)(i * DType.ItemSize)), DType);
        }
        return r;
    }

    /// <summary>One field of a structured array; <typeparamref name="T"/> must match the field's dtype exactly.</summary>
    public T[] GetField<T>(string name)
        where T : unmanaged
    {
        NpyField f = DType.GetField(name);
        RequireExact<T>(f.Type, $"field '{name}'");
        long n = Count;
        var r = new T[n];
        int stride = DType.ItemSize;
        for (long i = 0; i < n; i++)
        {
            r[i] = MemoryMarshal.Read<T>(Data.AsSpan((int)(i * stride + f.Offset)));
        }
        return r;
    }

    /// <summary>A numeric field converted to double, whatever its stored type.</summary>
    public double[] GetFieldAsDouble(string name)
    {
        NpyField f = DType.GetField(name);
        var r = new double[Count];
        for (long i = 0; i < r.LongLength; i++)
        {
            r[i] = ReadDouble(Data.AsSpan((int)(i * DType.ItemSize + f.Offset)), f.Type);
        }
        return r;
    }

    /// <summary>An integer field converted to long, whatever its stored width or signedness.</summary>
    public long[] GetFieldAsInt64(string name)
    {
        NpyField f = DType.GetField(name);
        if (f.Type.Kind is not ('i' or 'u' or 'b'))
        {
            throw new InvalidOperationException($"field '{name}' has non-integer dtype {f.Type}");
        }
        var r = new long[Count];
        for (long i = 0; i < r.LongLength; i++)
        {
            r[i] = ReadInt64(Data.AsSpan((int)(i * DType.ItemSize + f.Offset)), f.Type);
        }
        return r;
    }

    /// <summary>
    /// Writes <paramref name="values"/> into field <paramref name="name"/> of every record, converted to the field's
    /// type.
    /// </summary>
    public void SetField<T>(string name, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        NpyField f = DType.GetField(name);
        RequireExact<T>(f.Type, $"field '{name}'");
        if (values.Length != Count)
        {
            throw new ArgumentException($"field '{name}' needs {Count} values, got {values.Length}");
        }
        int stride = DType.ItemSize;
        for (int i = 0; i < values.Length; i++)
        {
            T v = values[i];
            MemoryMarshal.Write(Data.AsSpan(i * stride + f.Offset), in v);
        }
    }

    private static void RequireExact<T>(NpyDType dt, string what)
        where T : unmanaged
    {
        NpyDType want = DTypeOf<T>();
        bool match = want.Kind == dt.Kind && want.ItemSize == dt.ItemSize;
        if (!match)
        {
            throw new InvalidCastException($"{what} has dtype {dt}, not {want} ({typeof(T).Name})");
        }
    }

    internal static double ReadDouble(ReadOnlySpan<byte> b, NpyDType t) => t.Kind switch
    {
        'f' => t.ItemSize switch
        {
            2 => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
            4 => BinaryPrimitives.ReadSingleLittleEndian(b),
            _ => BinaryPrimitives.ReadDoubleLittleEndian(b),
        },
        'u' when t.ItemSize == 8 => BinaryPrimitives.ReadUInt64LittleEndian(b),
        'i' or 'u' or 'b' => ReadInt64(b, t),
        _ => throw new InvalidOperationException($"dtype {t} is not a real number"),
    };

    internal static long ReadInt64(ReadOnlySpan<byte> b, NpyDType t) => (t.Kind, t.ItemSize) switch
    {
        ('b', _) or ('u', 1) => b[0],
        ('i', 1) => (sbyte)b[0],
        ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(b),
        ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(b),
        ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(b),
        ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(b),
        ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(b),
        ('u', 8) => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(b)),
        _ => throw new InvalidOperationException($"dtype {t} is not an integer"),
    };
}
