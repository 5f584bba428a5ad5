using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using EventSsm.IO.Numpy;
using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Tests.IO;

public sealed class NpyFileTests
{
    [Fact]
    public void Read_GoldenInt64Vector()
    {
        NpyArray a = NpyFile.Read(Fixtures.Events.WindowEnds);
        long[] v = a.ToArray<long>();
        Assert.Equal(new long[] { 21 }, a.Shape);
        Assert.Equal(0, v[0]);
        Assert.Equal(1, v[1]);
        Assert.Equal(123_457, v[4]);
        Assert.Equal(5_999_958, v[18]);
    }

    [Fact]
    public void Read_GoldenStructuredWithPaddingField()
    {
        // Eval inputs use RVT's 40-byte BBOX_DTYPE, written as a tuple list with a ('', '|V4') pad entry.
        NpyArray a = NpyFile.Read(Fixtures.Eval.File("inputs", "gen1", "gt_seq00.npy"));
        Assert.Equal(40, a.DType.ItemSize);
        Assert.Equal(32, a.DType.GetField("class_confidence").Offset);
        Assert.Equal(139, a.Count);
        BoundingBox[] boxes = BoundingBoxFile.FromNpy(a);
        Assert.All(boxes, b => Assert.True(b.W > 0 && b.H > 0));
        Assert.True(boxes.Zip(boxes.Skip(1)).All(p => p.First.T <= p.Second.T));
    }

    [Fact]
    public void Read_PackedPropheseeV2_AndWriteBack_ByteIdentical()
    {
        string path = Fixtures.Events.SynthLabels;
        NpyArray a = NpyFile.Read(path);
        Assert.Equal(33, a.DType.ItemSize);
        BoundingBox[] boxes = BoundingBoxFile.Read(path);
        Assert.Equal(496, boxes.Length);
        Assert.Contains(boxes, b => b.TrackId == 115 && b.ClassConfidence == 0.75f);
        using TempDir tmp = Fixtures.TempDir();
        BoundingBoxFile.Write(tmp.File("b.npy"), boxes);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(tmp.File("b.npy")));
    }

    [Fact]
    public void Read_StoredNpz_LabelsWithOffsets()
    {
        string path = Fixtures.Preprocessed.Out("train", "99-01-01_10-00-00_0_6000000", "labels_v2", "labels.npz");
        Dictionary<string, NpyArray> npz = NpzFile.ReadAll(path);
        Assert.Equal(new[] { "labels", "objframe_idx_2_label_idx" }, npz.Keys.Order());
        Assert.Equal(59, npz["labels"].Count);
        long[] idx = npz["objframe_idx_2_label_idx"].ToArray<long>();
        Assert.Equal(18, idx.Length);
        Assert.Equal(0, idx[0]);
    }

    [Fact]
    public void Read_DeflatedNpz_LargeUint8()
    {
        using NpzFile npz = NpzFile.Open(Fixtures.Events.StackedHistogram);
        NpyArray h = npz.Read("stacked_hist");
        Assert.Equal(new long[] { 21, 20, 240, 304 }, h.Shape);
        byte[] d = h.ToArray<byte>();
        // docs/GOLDEN.md §1.5: window 6 wraps to 0 at (c16, y101, x151); window 7 gives 5 at (c6, y201, x21).
        Assert.Equal(0, d[(((6L * 20 + 16) * 240 + 101) * 304) + 151]);
        Assert.Equal(5, d[(((7L * 20 + 6) * 240 + 201) * 304) + 21]);
        Assert.All(d, v => Assert.InRange(v, (byte)0, (byte)10));
    }

    public static TheoryData<string> DTypes => new() { "b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8", "c16" };

    [Theory]
    [MemberData(nameof(DTypes))]
    public void RoundTrip_EveryScalarDType(string code)
    {
        NpyDType dt = NpyDType.Scalar(code[0], int.Parse(code[1..]));
        var rnd = new Random(code.GetHashCode(StringComparison.Ordinal));
        long[] shape = [3, 2, 5];
        var data = new byte[30 * dt.ItemSize];
        rnd.NextBytes(data);
        if (dt.Kind == 'b')
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] &= 1;
            }
        }
        var a = new NpyArray(dt, shape, data);
        using TempDir tmp = Fixtures.TempDir();
        NpyFile.Write(tmp.File("a.npy"), a);
        NpyArray b = NpyFile.Read(tmp.File("a.npy"));
        Assert.Equal(dt.ToDescr(), b.DType.ToDescr());
        Assert.Equal(shape, b.Shape);
        Assert.Equal(data, b.Data);
        // NumPy aligns the data start to 64 bytes.
        Assert.Equal(0, (new FileInfo(tmp.File("a.npy")).Length - data.Length) % 64);
    }

    [Fact]
    public void Read_BigEndianScalarAndStructured()
    {
        using TempDir tmp = Fixtures.TempDir();
        var body = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(body, 0x01020304);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), -7);
        BinaryPrimitives.WriteSingleBigEndian(body.AsSpan(8), 1.5f);
        BinaryPrimitives.WriteSingleBigEndian(body.AsSpan(12), -2.25f);
        File.WriteAllBytes(tmp.File("be.npy"), MakeNpy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", body[..8]));
        Assert.Equal(new[] { 0x01020304, -7 }, NpyFile.Read(tmp.File("be.npy")).ToArray<int>());

        File.WriteAllBytes(tmp.File("bes.npy"), MakeNpy("{'descr': [('a', '>i4'), ('b', '>f4')], 'fortran_order': False, 'shape': (2,), }",
            [.. body[..4], .. body[8..12], .. body[4..8], .. body[12..16]]));
        NpyArray s = NpyFile.Read(tmp.File("bes.npy"));
        Assert.Equal(new[] { 0x01020304, -7 }, s.GetField<int>("a"));
        Assert.Equal(new[] { 1.5f, -2.25f }, s.GetField<float>("b"));
    }

    [Fact]
    public void Read_FortranOrder_IsTransposedToC()
    {
        using TempDir tmp = Fixtures.TempDir();
        // Fortran order of [[1,2,3],[4,5,6]] is 1,4,2,5,3,6.
        byte[] body = new[] { 1, 4, 2, 5, 3, 6 }.SelectMany(BitConverter.GetBytes).ToArray();
        File.WriteAllBytes(tmp.File("f.npy"), MakeNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", body));
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, NpyFile.Read(tmp.File("f.npy")).ToArray<int>());
    }

    [Fact]
    public void Read_Version2And3Headers()
    {
        using TempDir tmp = Fixtures.TempDir();
        byte[] body = BitConverter.GetBytes(42L);
        foreach (byte major in new byte[] { 2, 3 })
        {
            byte[] header = Encoding.ASCII.GetBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }\n");
            byte[] file = [0x93, .. "NUMPY"u8, major, 0, .. BitConverter.GetBytes((uint)header.Length), .. header, .. body];
            File.WriteAllBytes(tmp.File("v.npy"), file);
            Assert.Equal(42L, NpyFile.Read(tmp.File("v.npy")).ToArray<long>()[0]);
        }
    }

    [Fact]
    public void Read_DictDescrWithOffsets()
    {
        using TempDir tmp = Fixtures.TempDir();
        var body = new byte[16];
        BitConverter.GetBytes(5L).CopyTo(body, 0);
        BitConverter.GetBytes(2.5f).CopyTo(body, 12);
        File.WriteAllBytes(tmp.File("d.npy"), MakeNpy(
            "{'descr': {'names': ['t', 'x'], 'formats': ['<i8', '<f4'], 'offsets': [0, 12], 'itemsize': 16}, 'fortran_order': False, 'shape': (1,), }", body));
        NpyArray a = NpyFile.Read(tmp.File("d.npy"));
        Assert.Equal(5L, a.GetField<long>("t")[0]);
        Assert.Equal(2.5f, a.GetField<float>("x")[0]);
    }

    [Fact]
    public void BadInput_GivesDataFormatExceptionWithFileName()
    {
        using TempDir tmp = Fixtures.TempDir();
        string good = Fixtures.Events.WindowEnds;
        byte[] bytes = File.ReadAllBytes(good);

        File.WriteAllBytes(tmp.File("trunc.npy"), bytes[..^5]);
        var e1 = Assert.Throws<DataFormatException>(() => NpyFile.Read(tmp.File("trunc.npy")));
        Assert.Contains("trunc.npy", e1.Message);
        Assert.Contains("truncated", e1.Message);

        byte[] magic = (byte[])bytes.Clone();
        magic[1] = (byte)'X';
        File.WriteAllBytes(tmp.File("magic.npy"), magic);
        Assert.Contains("magic", Assert.Throws<DataFormatException>(() => NpyFile.Read(tmp.File("magic.npy"))).Message);

        File.WriteAllBytes(tmp.File("obj.npy"), MakeNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        var e3 = Assert.Throws<UnsupportedDataException>(() => NpyFile.Read(tmp.File("obj.npy")));
        Assert.Contains("obj.npy", e3.Message);

        File.WriteAllBytes(tmp.File("big.npy"), MakeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", new byte[8]));
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => NpyFile.Read(tmp.File("big.npy"))).Message);
    }

    [Fact]
    public void Fuzz_MutatedGoldenFiles_OnlyRaiseOurExceptions()
    {
        string[] files =
        [
            Fixtures.Events.SynthLabels,
            Fixtures.Eval.File("inputs", "gen1", "dt_seq00.npy"),
            Fixtures.Preprocessed.Out("val", "99-01-02_11-00-00_0_3000000", "labels_v2", "labels.npz"),
        ];
        var rnd = new Random(12345);
        int ok = 0;
        int rejected = 0;
        foreach (string f in files)
        {
            byte[] orig = File.ReadAllBytes(f);
            bool npz = f.EndsWith(".npz", StringComparison.Ordinal);
            for (int iter = 0; iter < 1500; iter++)
            {
                byte[] m = Mutate(orig, rnd, npz ? orig.Length : Math.Min(orig.Length, 200));
                FuzzCase.Run(iter, () =>
                {
                    try
                    {
                        if (npz)
                        {
                            using var ms = new MemoryStream(m);
                            string tmpPath = Path.Combine(Path.GetTempPath(), $"fuzz-{Environment.ProcessId}.npz");
                            File.WriteAllBytes(tmpPath, m);
                            using NpzFile z = NpzFile.Open(tmpPath);
                            foreach (string k in z.Keys.ToArray())
                            {
                                BoundingBoxFileOrPlain(z.Read(k), k);
                            }
                        }
                        else
                        {
                            using var ms = new MemoryStream(m);
                            BoundingBoxFileOrPlain(NpyFile.Read(ms, "fuzz.npy", m.Length), "fuzz");
                        }
                        ok++;
                    }
                    catch (DataFormatException)
                    {
                        rejected++;
                    }
                });
            }
        }
        Assert.True(rejected > 100, $"only {rejected} mutations were rejected; the fuzzer is not reaching the parser");
        Assert.True(ok > 100, $"only {ok} mutations parsed; mutations are too destructive");
    }

    private static void BoundingBoxFileOrPlain(NpyArray a, string name)
    {
        if (a.DType.IsStructured)
        {
            BoundingBoxFile.FromNpy(a, name);
        }
        else if (a.DType.Kind is 'i' or 'u')
        {
            a.ToInt64Array();
        }
    }

    private static byte[] Mutate(byte[] src, Random rnd, int focus)
    {
        byte[] m = (byte[])src.Clone();
        switch (rnd.Next(4))
        {
            case 0:
                m[rnd.Next(focus)] = (byte)rnd.Next(256);
                break;
            case 1:
                for (int k = 0; k < 4; k++)
                {
                    m[rnd.Next(m.Length)] ^= (byte)(1 << rnd.Next(8));
                }
                break;
            case 2:
                return m[..rnd.Next(m.Length)];
            default:
                int at = rnd.Next(focus);
                const string alphabet = "0123456789(),'<>|fiuV: ";
                m[at] = (byte)alphabet[rnd.Next(alphabet.Length)];
                break;
        }
        return m;
    }

    [Property(MaxTest = 50)]
    public bool RoundTrip_StructuredRandomBoxes(long[] ts, float[] xs)
    {
        int n = Math.Min(ts.Length, xs.Length);
        var boxes = Enumerable.Range(0, n)
            .Select(i => new BoundingBox(Math.Abs(ts[i] % 1_000_000_000), xs[i], -xs[i], 1f, 2f, (uint)(i % 3), 0.5f, (uint)i))
            .ToArray();
        using TempDir tmp = Fixtures.TempDir();
        foreach (BoxLayout layout in Enum.GetValues<BoxLayout>())
        {
            BoundingBoxFile.Write(tmp.File("b.npy"), boxes, layout);
            BoundingBox[] back = BoundingBoxFile.Read(tmp.File("b.npy"));
            if (!back.SequenceEqual(boxes))
            {
                return false;
            }
        }
        return true;
    }

    [Fact]
    public void Npz_RoundTrip_StoredAndDeflated()
    {
        using TempDir tmp = Fixtures.TempDir();
        var arrays = new Dictionary<string, NpyArray>
        {
            ["a"] = NpyArray.FromArray(new[] { 1.0, 2.0, 3.0 }),
            ["n"] = NpyArray.Scalar(123L),
            ["boxes"] = BoundingBoxFile.ToNpy(new[] { new BoundingBox(10, 1, 2, 3, 4, 1) }),
        };
        foreach (bool compress in new[] { false, true })
        {
            NpzFile.Write(tmp.File("x.npz"), arrays, compress);
            Dictionary<string, NpyArray> back = NpzFile.ReadAll(tmp.File("x.npz"));
            Assert.Equal(arrays.Keys.Order(), back.Keys.Order());
            foreach (string k in arrays.Keys)
            {
                Assert.Equal(arrays[k].Data, back[k].Data);
                Assert.Equal(arrays[k].Shape, back[k].Shape);
            }
            Assert.Empty(back["n"].Shape);
        }
    }

    private static byte[] MakeNpy(string dict, byte[] body)
    {
        string header = dict.PadRight(117) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, .. BitConverter.GetBytes((ushort)header.Length), .. Encoding.ASCII.GetBytes(header), .. body];
    }
}
