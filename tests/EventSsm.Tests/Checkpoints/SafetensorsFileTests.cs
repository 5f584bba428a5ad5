using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.IO;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Checkpoints;

public sealed class SafetensorsFileTests
{
    private static readonly ScalarType[] s_dtypes =
    [
        ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    ];

    private static int ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    private static Tensor RandomTensor(Random rng, ScalarType dtype, long[] shape)
    {
        Tensor t = empty(shape, dtype);
        byte[] bytes = new byte[t.numel() * ElementSize(dtype)];
        rng.NextBytes(bytes);
        if (dtype == ScalarType.Bool)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 1;
            }
        }
        if (bytes.Length > 0)
        {
            t.bytes = bytes;
        }
        return t;
    }

    [Property(MaxTest = 40)]
    public void RoundTrip_PreservesNamesShapesDTypesBytesAndMetadata(int seed, NonEmptyString metaValue)
    {
        var rng = new Random(seed);
        var tensors = new Dictionary<string, Tensor>();
        int count = rng.Next(0, 5);
        for (int i = 0; i < count; i++)
        {
            long[] shape = Enumerable.Range(0, rng.Next(0, 4)).Select(_ => (long)rng.Next(0, 5)).ToArray();
            tensors[$"layer{i}.w"] = RandomTensor(rng, s_dtypes[rng.Next(s_dtypes.Length)], shape);
        }
        var meta = new Dictionary<string, string> { [SafetensorsFile.ConfigMetadataKey] = metaValue.Get, ["format"] = "pt" };
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("rt.safetensors");
        SafetensorsFile.Write(path, tensors, meta);
        SafetensorsContent back = SafetensorsFile.Read(path);
        Assert.Equal(meta, back.Metadata);
        Assert.Equal(tensors.Keys.Order(), back.Tensors.Keys.Order());
        foreach ((string name, Tensor t) in tensors)
        {
            Tensor b = back.Tensors[name];
            Assert.Equal(t.dtype, b.dtype);
            Assert.Equal(t.shape, b.shape);
            Assert.Equal(t.numel() == 0 ? [] : t.bytes.ToArray(), b.numel() == 0 ? [] : b.bytes.ToArray());
        }
        Assert.Equal(meta, SafetensorsFile.ReadMetadata(path));
    }

    [Fact]
    public void Write_NonContiguousTensor_StoresLogicalOrder()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("t.safetensors");
        Tensor t = arange(Scalars.Of(0), Scalars.Of(6), Scalars.One, dtype: ScalarType.Float32).reshape(2, 3).t();
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["x"] = t });
        Tensor back = SafetensorsFile.Read(path).Tensors["x"];
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, back.data<float>().ToArray());
    }

    [Fact]
    public void Write_HeaderIsAlignedAndParsesAsJson()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("a.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, Tensor> { ["a"] = ones(3) });
        byte[] file = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 12, file.Length);
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}", Encoding.UTF8.GetString(file, 8, (int)n));
    }

    private static string WriteRaw(TempDir dir, string header, int dataBytes)
    {
        string path = dir.File("raw.safetensors");
        byte[] h = Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        File.WriteAllBytes(path, file);
        return path;
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", 8, "outside")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "data bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[4,8]}}", 8, "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "data_offsets")]
    [InlineData("[1,2]", 0, "not a JSON object")]
    [InlineData("{\"a\":", 0, "not valid JSON")]
    [InlineData("{\"__metadata__\":{\"k\":1}}", 0, "not a string")]
    public void BadHeader_ThrowsDataFormatException(string header, int dataBytes, string expected)
    {
        using TempDir dir = Fixtures.TempDir();
        string path = WriteRaw(dir, header, dataBytes);
        DataFormatException e = Assert.Throws<DataFormatException>(() => SafetensorsFile.Read(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void UnknownDType_IsUnsupported()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = WriteRaw(dir, "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
        Assert.Throws<UnsupportedDataException>(() => SafetensorsFile.Read(path));
    }

    [Fact]
    public void HeaderLengthBeyondFile_Throws()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("short.safetensors");
        byte[] file = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(file, 1000);
        File.WriteAllBytes(path, file);
        DataFormatException e = Assert.Throws<DataFormatException>(() => SafetensorsFile.Read(path));
        Assert.Contains("header length 1000", e.Message);
    }

    [Fact]
    public void GoldenWeights_SurviveConversion()
    {
        Dictionary<string, Tensor> sd = TorchCheckpoint.LoadStateDict(Fixtures.DetectorMicro.Checkpoint);
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("micro.safetensors");
        SafetensorsFile.Write(path, sd);
        Dictionary<string, Tensor> back = SafetensorsFile.Read(path).Tensors;
        Assert.Equal(412, back.Count);
        foreach ((string name, Tensor t) in sd)
        {
            Assert.Equal(t.dtype, back[name].dtype);
            Assert.Equal(t.bytes.ToArray(), back[name].bytes.ToArray());
        }
    }
}
