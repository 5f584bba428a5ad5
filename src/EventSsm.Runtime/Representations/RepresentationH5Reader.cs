using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;
using EventSsm.IO.Hdf5;
using EventSsm.IO;

namespace EventSsm.Representations;

/// <summary>
/// The preprocessed <c>event_representations*.h5</c> (docs/DATA.md §2.8): dataset <c>/data</c>, uint8
/// (N, C, H, W), one Blosc chunk per time step. <see cref="ReadFrame(int, Span{byte})"/> decodes only the chunk of
/// that step, so random access costs one chunk whatever N is.
/// </summary>
public sealed class RepresentationH5Reader : IDisposable
{
    /// <summary>The dataset holding the (N, C, H, W) representations.</summary>
    public const string DatasetName = "data";

    // A frame is read into one array; 1 GiB is far above gen4's 4.6 MB and stops corrupt shapes early.
    private const long MaxFrameBytes = 1L << 30;

    private readonly NativeFile _file;
    private readonly NativeDataset _data;

    private RepresentationH5Reader(string path, NativeFile file, NativeDataset data, int count, int channels, int height, int width)
    {
        Path = path;
        _file = file;
        _data = data;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>The file this reader reads.</summary>
    public string Path { get; }

    /// <summary>N, the number of time steps.</summary>
    public int Count { get; }

    /// <summary>C, channels per time step.</summary>
    public int Channels { get; }

    /// <summary>H, rows per time step.</summary>
    public int Height { get; }

    /// <summary>W, columns per time step.</summary>
    public int Width { get; }

    /// <summary>Bytes of one time step.</summary>
    public int FrameBytes => Channels * Height * Width;

    /// <summary>Opens a representation file and checks the dataset's shape and type.</summary>
    public static RepresentationH5Reader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        NativeFile file = Hdf5Access.Open(path);
        try
        {
            return Hdf5Access.Guard(path, () => Create(path, file));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static RepresentationH5Reader Create(string path, NativeFile file)
    {
        NativeDataset data = Hdf5Access.Dataset(file, DatasetName, path);
        if (data.Type.Class != H5DataTypeClass.FixedPoint || data.Type.Size != 1 || data.Type.FixedPoint.IsSigned)
        {
            throw new UnsupportedDataException(path, $"/data has type {data.Type.Class} of {data.Type.Size} bytes, expected uint8");
        }
        ulong[] dims = Hdf5Access.Dims(data);
        if (dims.Length != 4)
        {
            throw new DataFormatException(path, $"/data has rank {dims.Length}, expected (N, C, H, W)");
        }
        if (dims[0] > int.MaxValue || dims[1] == 0 || dims[2] == 0 || dims[3] == 0
            || dims[1] > MaxFrameBytes || dims[2] > MaxFrameBytes || dims[3] > MaxFrameBytes
            || dims[1] * dims[2] * dims[3] > MaxFrameBytes)
        {
            throw new DataFormatException(path, $"/data has an implausible shape ({string.Join(", ", dims)})");
        }
        return new RepresentationH5Reader(path, file, data, (int)dims[0], (int)dims[1], (int)dims[2], (int)dims[3]);
    }

    /// <summary>Time step <paramref name="index"/> as C·H·W bytes in C order.</summary>
    public byte[] ReadFrame(int index)
    {
        byte[] dst = new byte[FrameBytes];
        ReadFrame(index, dst);
        return dst;
    }

    /// <summary>Time step <paramref name="index"/> as C·H·W bytes into <paramref name="dst"/>.</summary>
    public void ReadFrame(int index, Span<byte> dst) => ReadFrames(index, 1, dst);

    /// <summary>Time steps [start, start+count) as count·C·H·W bytes.</summary>
    public void ReadFrames(int start, int count, Span<byte> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Count - count);
        ArgumentOutOfRangeException.ThrowIfNotEqual(dst.Length, (long)count * FrameBytes, nameof(dst));
        if (count == 0)
        {
            return;
        }
        var sel = new HyperslabSelection(4, [(ulong)start, 0, 0, 0], [(ulong)count, (ulong)Channels, (ulong)Height, (ulong)Width]);
        ulong[] mem = [(ulong)dst.Length];
        try
        {
            _data.Read<byte>(dst, sel, null, mem);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Hdf5Access.Wrap(Path, ex);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();
}
