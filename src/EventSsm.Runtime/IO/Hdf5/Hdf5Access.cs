using System.Numerics;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace EventSsm.IO.Hdf5;

/// <summary>
/// The boundary between our API and PureHDF: opens files with the Blosc and ECF filters registered, and turns whatever
/// PureHDF (or our filter, which cannot know the file name) throws on a corrupt file into a
/// <see cref="DataFormatException"/> that names the file.
/// </summary>
internal static class Hdf5Access
{
    public static NativeFile Open(string path)
    {
        BloscH5Filter.EnsureRegistered();
        EcfH5Filter.EnsureRegistered();
        // Opening the stream ourselves lets FileNotFoundException and access errors surface unchanged.
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            return Guard(path, () => H5File.Open(fs, leaveOpen: false));
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    public static T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap(path, ex);
        }
    }

    public static void Guard(string path, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Wrap(path, ex);
        }
    }

    public static Exception Wrap(string path, Exception ex) => ex switch
    {
        DataFormatException { FilePath: not null } => ex,
        UnsupportedDataException u => new UnsupportedDataException(path, u.Reason, u),
        DataFormatException d => new DataFormatException(path, d.Reason, d),
        _ => new DataFormatException(path, $"corrupt or unreadable HDF5 content ({ex.GetType().Name}: {ex.Message})", ex),
    };

    /// <summary>The dataset at <paramref name="name"/> or a DataFormatException saying it is missing.</summary>
    public static NativeDataset Dataset(NativeGroup group, string name, string path)
    {
        if (!group.LinkExists(name))
        {
            throw new DataFormatException(path, $"HDF5 dataset '{group.Name}/{name}' is missing");
        }
        return group.Get(name) as NativeDataset
            ?? throw new DataFormatException(path, $"HDF5 object '{group.Name}/{name}' is not a dataset");
    }

    public static ulong[] Dims(NativeDataset d) => d.Space.Type == H5DataspaceType.Simple ? d.Space.Dimensions : [];

    /// <summary>
    /// Reads elements [start, start+dst.Length) of a 1-D integer dataset of any size and signedness, widened to
    /// int64 (little-endian files; PureHDF does not expose the byte order).
    /// </summary>
    public static void ReadInt64(NativeDataset d, ulong start, Span<long> dst)
    {
        if (dst.IsEmpty)
        {
            return;
        }
        var sel = new HyperslabSelection(start, (ulong)dst.Length);
        ulong[] mem = [(ulong)dst.Length];
        switch (IntKind(d))
        {
            case (1, true):
                Widen<sbyte>(d, sel, mem, dst);
                break;
            case (1, false):
                Widen<byte>(d, sel, mem, dst);
                break;
            case (2, true):
                Widen<short>(d, sel, mem, dst);
                break;
            case (2, false):
                Widen<ushort>(d, sel, mem, dst);
                break;
            case (4, true):
                Widen<int>(d, sel, mem, dst);
                break;
            case (4, false):
                Widen<uint>(d, sel, mem, dst);
                break;
            case (8, true):
                d.Read(dst, sel, null, mem);
                break;
            default:
                Widen<ulong>(d, sel, mem, dst);
                break;
        }
    }

    /// <summary>A scalar (or one-element) integer dataset as int64.</summary>
    public static long ReadScalarInt64(NativeDataset d)
    {
        (int size, bool signed) = IntKind(d);
        return (size, signed) switch
        {
            (1, true) => d.Read<sbyte>(),
            (1, false) => d.Read<byte>(),
            (2, true) => d.Read<short>(),
            (2, false) => d.Read<ushort>(),
            (4, true) => d.Read<int>(),
            (4, false) => d.Read<uint>(),
            (8, true) => d.Read<long>(),
            _ => checked((long)d.Read<ulong>()),
        };
    }

    private static (int Size, bool Signed) IntKind(NativeDataset d)
    {
        if (d.Type.Class != H5DataTypeClass.FixedPoint || d.Type.Size is not (1 or 2 or 4 or 8))
        {
            throw new UnsupportedDataException(null,
                $"dataset '{d.Name}' has type {d.Type.Class} of {d.Type.Size} bytes; an integer type is required");
        }
        return (d.Type.Size, d.Type.FixedPoint.IsSigned);
    }

    private static void Widen<T>(NativeDataset d, Selection sel, ulong[] mem, Span<long> dst)
        where T : unmanaged, IBinaryInteger<T>
    {
        T[] tmp = new T[dst.Length];
        d.Read<T>(tmp.AsSpan(), sel, null, mem);
        for (int i = 0; i < tmp.Length; i++)
        {
            dst[i] = long.CreateChecked(tmp[i]); // uint64 above int64.MaxValue throws OverflowException
        }
    }
}
