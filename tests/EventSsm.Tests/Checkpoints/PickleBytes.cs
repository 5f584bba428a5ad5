using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace EventSsm.Tests.Checkpoints;

/// <summary>Writes protocol-2 pickle opcodes by hand, for checkpoints with layouts the golden files lack.</summary>
internal sealed class PickleBytes
{
    private readonly MemoryStream _s = new();

    public PickleBytes()
    {
        Op(0x80).Byte(2);
    }

    public PickleBytes Op(byte op)
    {
        _s.WriteByte(op);
        return this;
    }

    public PickleBytes Byte(byte b) => Op(b);

    public PickleBytes Str(string s)
    {
        byte[] b = Encoding.UTF8.GetBytes(s);
        Op(0x58);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, b.Length);
        _s.Write(len);
        _s.Write(b);
        return this;
    }

    public PickleBytes Int(int v)
    {
        Op(0x4a);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        _s.Write(b);
        return this;
    }

    public PickleBytes Global(string module, string name)
    {
        Op(0x63);
        _s.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    public PickleBytes Mark() => Op(0x28);

    public PickleBytes Tuple() => Op(0x74);

    /// <summary><c>_rebuild_tensor_v2(('storage', torch.&lt;type&gt;, key, 'cpu', numel), offset, size, stride, False, OrderedDict())</c>.</summary>
    public PickleBytes Tensor(string storageType, string key, int numel, int offset, int[] size, int[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", storageType).Str(key).Str("cpu").Int(numel).Tuple().Op(0x51);
        Int(offset);
        Mark();
        foreach (int s in size)
        {
            Int(s);
        }
        Tuple().Mark();
        foreach (int s in stride)
        {
            Int(s);
        }
        Tuple().Op(0x89).Global("collections", "OrderedDict").Op(0x29).Op(0x52);
        return Tuple().Op(0x52);
    }

    public byte[] ToArray() => _s.ToArray();

    /// <summary>Writes a torch-style zip: archive/data.pkl and archive/data/&lt;key&gt; entries, stored uncompressed.</summary>
    public static void WriteZip(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, "archive/data.pkl", pickle);
        foreach ((string key, byte[] bytes) in storages)
        {
            Add(zip, $"archive/data/{key}", bytes);
        }
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using Stream s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        s.Write(bytes);
    }
}
