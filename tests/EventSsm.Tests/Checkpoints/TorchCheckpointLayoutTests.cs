using TorchSharp;
using EventSsm.Checkpoints.Pickle;
using EventSsm.Checkpoints;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Tests.Checkpoints;

/// <summary>Hand-built checkpoints for what the golden files do not contain: strides, offsets, other dtypes, errors.</summary>
public sealed class TorchCheckpointLayoutTests
{
    private static byte[] Floats(params float[] v) => v.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] OneTensorPickle(string storageType, int numel, int offset, int[] size, int[] stride) =>
        new PickleBytes().Op(0x7d).Str("t").Tensor(storageType, "0", numel, offset, size, stride).Op(0x73).Op(0x2e).ToArray();

    [Fact]
    public void StridedViewWithOffset_IsMadeContiguous()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("strided.pt");
        // A transposed 2×2 view starting at element 1 of [0..5]: [[1,3],[2,4]].
        PickleBytes.WriteZip(path, OneTensorPickle("FloatStorage", 6, 1, [2, 2], [1, 2]),
            new Dictionary<string, byte[]> { ["0"] = Floats(0, 1, 2, 3, 4, 5) });
        Dictionary<string, Tensor> sd = TorchCheckpoint.LoadStateDict(path);
        Tensor t = sd["t"];
        Assert.True(t.is_contiguous());
        Assert.Equal(new long[] { 2, 2 }, t.shape);
        Assert.Equal(new float[] { 1, 3, 2, 4 }, t.data<float>().ToArray());
    }

    [Theory]
    [InlineData("DoubleStorage", ScalarType.Float64, 8)]
    [InlineData("HalfStorage", ScalarType.Float16, 2)]
    [InlineData("BFloat16Storage", ScalarType.BFloat16, 2)]
    [InlineData("LongStorage", ScalarType.Int64, 8)]
    [InlineData("IntStorage", ScalarType.Int32, 4)]
    [InlineData("ShortStorage", ScalarType.Int16, 2)]
    [InlineData("CharStorage", ScalarType.Int8, 1)]
    [InlineData("ByteStorage", ScalarType.Byte, 1)]
    [InlineData("BoolStorage", ScalarType.Bool, 1)]
    public void StorageClass_GivesDTypeAndBytes(string storageType, ScalarType dtype, int size)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("dtype.pt");
        byte[] bytes = Enumerable.Range(0, 3 * size).Select(i => (byte)(i % 2)).ToArray();
        PickleBytes.WriteZip(path, OneTensorPickle(storageType, 3, 0, [3], [1]), new Dictionary<string, byte[]> { ["0"] = bytes });
        Tensor t = TorchCheckpoint.LoadStateDict(path)["t"];
        Assert.Equal(dtype, t.dtype);
        Assert.Equal(bytes, t.bytes.ToArray());
    }

    [Fact]
    public void UnknownStorageClass_IsUnsupported()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("q.pt");
        PickleBytes.WriteZip(path, OneTensorPickle("QInt8Storage", 3, 0, [3], [1]), new Dictionary<string, byte[]> { ["0"] = new byte[3] });
        UnsupportedDataException e = Assert.Throws<UnsupportedDataException>(() => TorchCheckpoint.Read(path));
        Assert.Contains("QInt8Storage", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MissingStorageRecord_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("missing.pt");
        PickleBytes.WriteZip(path, OneTensorPickle("FloatStorage", 2, 0, [2], [1]), new Dictionary<string, byte[]>());
        DataFormatException e = Assert.Throws<DataFormatException>(() => TorchCheckpoint.Read(path));
        Assert.Contains("archive/data/0", e.Message);
    }

    [Fact]
    public void ViewBeyondStorage_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("oob.pt");
        PickleBytes.WriteZip(path, OneTensorPickle("FloatStorage", 4, 2, [2, 2], [2, 1]), new Dictionary<string, byte[]> { ["0"] = Floats(0, 1, 2, 3) });
        DataFormatException e = Assert.Throws<DataFormatException>(() => TorchCheckpoint.Read(path));
        Assert.Contains("exceeds storage", e.Message);
    }

    [Fact]
    public void CodeExecutionGlobals_StayInert()
    {
        // os.system('x') as a pickle: a REDUCE of a non-whitelisted global only records the call.
        byte[] pickle = new PickleBytes().Global("os", "system").Str("echo pwned").Op(0x85).Op(0x52).Op(0x2e).ToArray();
        object? v = EventSsm.Checkpoints.Pickle.PickleReader.Load(pickle, "evil.pkl");
        var o = Assert.IsType<EventSsm.Checkpoints.Pickle.PickleObject>(v);
        Assert.Equal("os.system", o.Type.ToString());
        Assert.Equal(new object?[] { "echo pwned" }, o.Args);
    }

    [Fact]
    public void TruncatedZip_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        byte[] full = File.ReadAllBytes(Fixtures.S5.Weights);
        string path = dir.File("trunc.pt");
        File.WriteAllBytes(path, full[..(full.Length / 2)]);
        DataFormatException e = Assert.Throws<DataFormatException>(() => TorchCheckpoint.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void NotAZip_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("text.pt");
        File.WriteAllText(path, "this is not a checkpoint");
        Assert.Throws<DataFormatException>(() => TorchCheckpoint.Read(path));
    }

    [Fact]
    public void BadOpcode_NamesOffset()
    {
        byte[] pickle = [0x80, 0x02, 0x7d, 0xff, 0x2e];
        DataFormatException e = Assert.Throws<DataFormatException>(() => EventSsm.Checkpoints.Pickle.PickleReader.Load(pickle, "x.pkl"));
        Assert.Contains("x.pkl", e.Message);
        Assert.Contains("byte 3", e.Message);
    }

    [Fact]
    public void TruncatedPickle_Throws()
    {
        byte[] pickle = new PickleBytes().Op(0x7d).Str("key").ToArray()[..^2];
        DataFormatException e = Assert.Throws<DataFormatException>(() => EventSsm.Checkpoints.Pickle.PickleReader.Load(pickle, "x.pkl"));
        Assert.Contains("truncated", e.Message);
    }
}
