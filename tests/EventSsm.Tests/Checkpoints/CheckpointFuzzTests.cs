using System.IO.Compression;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.IO;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Checkpoints;

/// <summary>Random byte mutations of real files must end in our exception types (or a valid result), quickly.</summary>
public sealed class CheckpointFuzzTests
{
    private const int Cases = 2000;

    private static byte[] Mutate(Random rng, byte[] original)
    {
        byte[] m = (byte[])original.Clone();
        switch (rng.Next(4))
        {
            case 0:
                return m[..rng.Next(m.Length)];
            case 1:
                for (int i = rng.Next(1, 5); i > 0; i--)
                {
                    m[rng.Next(m.Length)] = (byte)rng.Next(256);
                }
                return m;
            case 2:
                // Length and integer fields are where parsers break: hit the low bytes after opcodes with extremes.
                int p = rng.Next(m.Length);
                m[p] = rng.Next(2) == 0 ? (byte)0xff : (byte)0x00;
                return m;
            default:
                int at = rng.Next(m.Length);
                int len = rng.Next(1, 16);
                return [.. m[..at], .. Enumerable.Range(0, len).Select(_ => (byte)rng.Next(256)), .. m[at..]];
        }
    }

    private static void RunCases(Action<Random, int> oneCase)
    {
        var rng = new Random(20240601);
        for (int i = 0; i < Cases; i++)
        {
            int index = i;
            FuzzCase.Run(index, () => oneCase(rng, index));
        }
    }

    [Fact]
    public void MutatedLightningPickle_OnlyThrowsDataFormatException()
    {
        string path = Fixtures.DetectorMicro.Checkpoint;
        byte[] pickle = ReadPickle(path);
        var storages = new Dictionary<string, byte[]>();
        using (ZipArchive zip = ZipFile.OpenRead(path))
        {
            foreach (ZipArchiveEntry e in zip.Entries.Where(e => e.FullName.Contains("/data/", StringComparison.Ordinal)))
            {
                using var ms = new MemoryStream();
                using (Stream s = e.Open())
                {
                    s.CopyTo(ms);
                }
                storages[e.Name] = ms.ToArray();
            }
        }
        RunCases((rng, i) =>
        {
            byte[] mutated = Mutate(rng, pickle);
            try
            {
                TorchCheckpoint ckpt = TorchCheckpoint.Parse("fuzz.ckpt", "fuzz.ckpt:data.pkl", mutated,
                    s => storages.TryGetValue(s.Key, out byte[]? b) ? b : throw new DataFormatException("fuzz.ckpt", $"no storage {s.Key}"));
                // Materialising every tensor is the slow part; do it for a tenth of the survivors.
                if (i % 10 == 0)
                {
                    using DisposeScope scope = NewDisposeScope();
                    ckpt.StateDict("mdl.");
                }
            }
            catch (DataFormatException)
            {
            }
        });
    }

    private static byte[] ReadPickle(string path)
    {
        using ZipArchive zip = ZipFile.OpenRead(path);
        ZipArchiveEntry e = zip.Entries.Single(x => x.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        using var ms = new MemoryStream();
        using (Stream s = e.Open())
        {
            s.CopyTo(ms);
        }
        return ms.ToArray();
    }

    [Fact]
    public void MutatedSafetensors_OnlyThrowsDataFormatException()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("seed.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, Tensor>
        {
            ["a"] = ones(3, 2),
            ["b"] = arange(Scalars.Of(0), Scalars.Of(5), Scalars.One, dtype: ScalarType.Int64),
            ["c"] = zeros(new long[] { 2, 2 }, dtype: ScalarType.BFloat16),
        }, new Dictionary<string, string> { ["k"] = "v" });
        byte[] original = File.ReadAllBytes(path);
        RunCases((rng, _) =>
        {
            byte[] mutated = Mutate(rng, original);
            try
            {
                using DisposeScope scope = NewDisposeScope();
                SafetensorsFile.Read(new MemoryStream(mutated), "fuzz.safetensors");
            }
            catch (DataFormatException)
            {
            }
        });
    }
}
