using System.Runtime.InteropServices;
using System.Text.Json;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Hdf5;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace EventSsm.Tests.Events;

public sealed class PropheseeHdf5ReaderTests
{
    public const string CppStyle = "prophesee_cpp_style.hdf5";
    public const string PipelineStyle = "prophesee_pipeline_style.hdf5";
    public const string PipelineLatest = "prophesee_pipeline_style_latest.hdf5";

    public static string PathOf(string name) => Fixtures.Formats.File(name);

    [Theory]
    [InlineData(CppStyle, "direct")]
    [InlineData(PipelineStyle, "direct")]
    [InlineData(PipelineLatest, "PureHDF")]
    public void Fixture_ReadsTheEventsTheScriptWrote(string name, string access)
    {
        Expected e = Expected.Load(name);
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(PathOf(name));
        Assert.Equal(access, r.ChunkAccess);
        Assert.Equal((e.Width, e.Height, e.Events, e.Chunk), (r.Width, r.Height, r.Count, r.ChunkEvents));
        EventArray all = r.Read(0, (int)r.Count, new EventBuffer(r.Width, r.Height));
        Assert.Equal(e.SumX, all.X.Take(all.Count).Sum(v => (long)v));
        Assert.Equal(e.SumY, all.Y.Take(all.Count).Sum(v => (long)v));
        Assert.Equal(e.SumP, all.P.Take(all.Count).Sum(v => (long)v));
        Assert.Equal(e.SumT, all.T.Take(all.Count).Sum());
        foreach (long[] s in e.Samples)
        {
            Assert.Equal((s[1], s[2], s[3], s[4]), (all.X[s[0]], all.Y[s[0]], all.P[s[0]], all.T[s[0]]));
        }
        Assert.Equal(0, r.ClampedEvents);
        Assert.Equal(e.TimeShift, r.TimeShiftUs);
    }

    [Fact]
    public void CppStyle_AttributesAndTriggers()
    {
        Expected e = Expected.Load(CppStyle);
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(PathOf(CppStyle));
        Assert.Equal("640x480", r.Attributes["geometry"]);
        Assert.Equal("3.1", r.Attributes["generation"]);
        Assert.Equal(e.Triggers.Length, r.TriggerCount);
        ExternalTrigger[] triggers = r.ReadTriggers(0, (int)r.TriggerCount);
        Assert.Equal(e.Triggers.Select(t => new ExternalTrigger(t[1], (byte)t[0], (int)t[2])), triggers);
        Assert.Equal(triggers[10..20], r.ReadTriggers(10, 10));
    }

    [Fact]
    public void Chunks_AreTheBlocksOurEncoderMakes()
    {
        // The script's Python encoder and our C# encoder, both written from docs/FORMATS.md §2, agree byte for byte.
        string path = PathOf(CppStyle);
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path);
        using NativeFile file = Hdf5Access.Open(path);
        Hdf5ChunkIndex index = Hdf5ChunkIndex.Open(path, (NativeDataset)file.Get("CD/events"))!;
        byte[] bytes = File.ReadAllBytes(path);
        var modes = new List<int>();
        for (int k = 0; k < r.ChunkCount; k++)
        {
            int n = (int)Math.Min(r.ChunkEvents, r.Count - (long)k * r.ChunkEvents);
            EventArray ev = r.Read((long)k * r.ChunkEvents, n, new EventBuffer(r.Width, r.Height));
            byte[] block = EcfCodec.Encode(ev.X.AsSpan(0, n), ev.Y.AsSpan(0, n), ev.P.AsSpan(0, n), ev.T.AsSpan(0, n));
            Hdf5ChunkIndex.Chunk c = index.Chunks[k];
            Assert.Equal(0u, c.FilterMask);
            Assert.True(block.AsSpan().SequenceEqual(bytes.AsSpan((int)c.Address, (int)c.Size)), $"chunk {k}");
            modes.Add(block[0] & 3);
        }
        // YXP, XP, MASKED, then the short last block (YXP again).
        Assert.Equal([2, 1, 0, 2], modes);
        Assert.Equal(2848, r.Count - 3 * r.ChunkEvents);
    }

    [Fact]
    public void PipelineStyle_HasAnUnfilteredChunkAndAFullLastBlock()
    {
        string path = PathOf(PipelineStyle);
        using NativeFile file = Hdf5Access.Open(path);
        Hdf5ChunkIndex index = Hdf5ChunkIndex.Open(path, (NativeDataset)file.Get("CD/events"))!;
        Assert.Equal([0u, 1u, 0u], index.Chunks.Select(c => c.FilterMask));
        Assert.Equal(1024 * 16u, index.Chunks[1].Size);
        byte[] last = File.ReadAllBytes(path).AsSpan((int)index.Chunks[2].Address, (int)index.Chunks[2].Size).ToArray();
        Assert.Equal(1024, EcfCodec.ReadCount(last));
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path);
        Assert.Equal(2753, r.Count);
    }

    [Theory]
    [InlineData(CppStyle)]
    [InlineData(PipelineLatest)]
    public void Search_MatchesBinarySearchOverAllEvents(string name)
    {
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(PathOf(name));
        EventArray all = EventRecording.ReadAll(PathOf(name));
        var rng = new Random(3);
        long t0 = all.T[0];
        long t1 = all.T[all.Count - 1];
        var probes = new List<long> { long.MinValue, t0 - 1, t0, t1, t1 + 1, long.MaxValue };
        for (int i = 0; i < 200; i++)
        {
            probes.Add(all.T[rng.Next(all.Count)] + rng.Next(-2, 3));
        }
        foreach (long t in probes)
        {
            Assert.Equal(all.LowerBound(t), r.LowerBound(t));
            Assert.Equal(all.UpperBound(t), r.UpperBound(t));
        }
        Assert.Equal(all.T[12345 % all.Count], r.TimeAt(12345 % all.Count));
    }

    [Theory]
    [InlineData(".hdf5")]
    [InlineData(".h5")]
    public void EventRecording_OpensProphesee(string extension)
    {
        using TempDir dir = Fixtures.TempDir();
        string copy = dir.File("rec" + extension);
        File.Copy(PathOf(PipelineStyle), copy);
        Assert.Equal(EventFileFormat.PropheseeHdf5, EventRecording.DetectFormat(copy));
        using IEventReader r = EventRecording.Open(copy);
        Assert.IsType<PropheseeHdf5Reader>(r);
        Assert.Equal((320, 240, 2753L), (r.Width, r.Height, r.Count));
    }

    [Fact]
    public void WrittenThroughPureHdfWithTheFilter_ReadsBack()
    {
        // PureHDF writes a fixed-array chunk index and sends whole chunks (zero-padded at the end) through the filter,
        // like the Python prototype: the PureHDF path with the last-chunk clamp.
        var rng = new Random(9);
        var records = new PropheseeHdf5Files.CdRecord[5000];
        long t = 100;
        for (int i = 0; i < records.Length; i++)
        {
            t += rng.Next(3);
            records[i] = new PropheseeHdf5Files.CdRecord { X = (ushort)rng.Next(346), Y = (ushort)rng.Next(260), P = (short)rng.Next(2), T = t };
        }
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("purehdf.hdf5");
        PropheseeHdf5Files.Write(path, records, chunk: 1024, geometry: "346x260");
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path);
        Assert.Equal(("PureHDF", 5000L, 346, 260), (r.ChunkAccess, r.Count, r.Width, r.Height));
        EventArray all = r.Read(0, 5000, new EventBuffer(346, 260));
        for (int i = 0; i < records.Length; i++)
        {
            Assert.Equal((records[i].X, records[i].Y, (byte)records[i].P, records[i].T), (all.X[i], all.Y[i], all.P[i], all.T[i]));
        }
    }

    [Fact]
    public void BlockWithTooFewEvents_IsAnErrorNamingFileAndChunk()
    {
        string path = CopyWithChunkPatched(CppStyle, 1, block =>
        {
            // Claim 100 events (same mode bits) in a full chunk.
            uint h = BitConverter.ToUInt32(block);
            BitConverter.GetBytes((100u << 2) | (h & 3)).CopyTo(block, 0);
        }, out TempDir dir);
        using (dir)
        {
            using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path);
            DataFormatException e = Assert.Throws<DataFormatException>(() => r.TimeAt(20000));
            Assert.Equal($"{path}: CD/events chunk 1 is an ECF block of 100 events; it must hold 16384", e.Message);
        }
    }

    [Fact]
    public void OutOfSensorEvent_IsAnError()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("small.hdf5");
        PropheseeHdf5Files.Write(path, [new PropheseeHdf5Files.CdRecord { X = 5, Y = 1, T = 1 }, new PropheseeHdf5Files.CdRecord { X = 9, Y = 1, T = 2 }], 1024, "8x8");
        // Through PureHDF the first chunk is decoded when opening (its first time), so the error may come then.
        DataFormatException e = Assert.Throws<DataFormatException>(() =>
        {
            using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path);
            r.Read(0, 2, new EventBuffer(8, 8));
        });
        Assert.Equal($"{path}: CD/events chunk 0 event 1 at (9, 1) lies outside the 8×8 sensor of the geometry attribute", e.Message);
    }

    [Fact]
    public void MissingGeometry_NeedsADefaultSize()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("nogeo.hdf5");
        PropheseeHdf5Files.Write(path, [new PropheseeHdf5Files.CdRecord { X = 5, Y = 1, T = 1 }], 1024, geometry: null);
        DataFormatException e = Assert.Throws<DataFormatException>(() => PropheseeHdf5Reader.Open(path));
        Assert.Contains("no 'geometry' attribute", e.Message);
        using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path, new SensorSize(64, 48));
        Assert.Equal((64, 48), (r.Width, r.Height));
    }

    /// <summary>A copy of a fixture whose chunk <paramref name="k"/> bytes are edited in place.</summary>
    internal static string CopyWithChunkPatched(string name, int k, Action<byte[]> patch, out TempDir dir)
    {
        string source = PathOf(name);
        dir = Fixtures.TempDir();
        string path = dir.File(name);
        byte[] bytes = File.ReadAllBytes(source);
        using (NativeFile file = Hdf5Access.Open(source))
        {
            Hdf5ChunkIndex.Chunk c = Hdf5ChunkIndex.Open(source, (NativeDataset)file.Get("CD/events"))!.Chunks[k];
            byte[] block = bytes.AsSpan((int)c.Address, (int)c.Size).ToArray();
            patch(block);
            block.CopyTo(bytes, (int)c.Address);
        }
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>The .json the fixture script writes next to each file.</summary>
    internal sealed record Expected(int Width, int Height, int Chunk, long Events, long SumX, long SumY, long SumP,
        long SumT, long? TimeShift, long[][] Samples, long[][] Triggers)
    {
        public static Expected Load(string name)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(PathOf(name), ".json")));
            JsonElement j = doc.RootElement;
            long[][] Rows(string key) => j.GetProperty(key).EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
            long? shift = j.TryGetProperty("time_shift", out JsonElement s) && s.ValueKind != JsonValueKind.Null ? s.GetInt64() : null;
            int chunk = j.TryGetProperty("chunk", out JsonElement c) ? c.GetInt32() : 0;
            return new Expected(j.GetProperty("width").GetInt32(), j.GetProperty("height").GetInt32(), chunk,
                j.GetProperty("events").GetInt64(), j.GetProperty("sum_x").GetInt64(), j.GetProperty("sum_y").GetInt64(),
                j.GetProperty("sum_p").GetInt64(), j.GetProperty("sum_t").GetInt64(),
                shift, Rows("samples"), Rows("triggers"));
        }
    }
}
