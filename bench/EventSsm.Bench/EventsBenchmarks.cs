using BenchmarkDotNet.Attributes;
using EventSsm.Events;
using EventSsm.Representations;

namespace EventSsm.Bench;

/// <summary>
/// .dat decoding and stacked-histogram throughput on a synthetic 1-minute 304×240 recording at 1 M events/s
/// (60 M events, 480 MB .dat), uniformly random pixels and polarities (a cache-unfriendly worst case).
/// Throughput = 480 MB (decode) or 60 M events (histogram) divided by the reported mean.
/// </summary>
[MemoryDiagnoser]
public class EventsBenchmarks
{
    private const int Width = 304;
    private const int Height = 240;
    private const long DurationUs = 60_000_000;
    private const int EventCount = 60_000_000;

    private string _path = "";
    private byte[] _records = [];
    private EventArray _events = EventArray.Empty(Width, Height);
    private EventBuffer _decodeBuffer = new(Width, Height);
    private long[] _ends = [];
    private byte[] _histogram = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        var x = new ushort[EventCount];
        var y = new ushort[EventCount];
        var p = new byte[EventCount];
        var t = new long[EventCount];
        for (int i = 0; i < EventCount; i++)
        {
            x[i] = (ushort)rng.Next(Width);
            y[i] = (ushort)rng.Next(Height);
            p[i] = (byte)rng.Next(2);
            t[i] = (long)i * DurationUs / EventCount;
        }
        _events = new EventArray(x, y, p, t, Width, Height);
        _path = Path.Combine(Path.GetTempPath(), $"eventssm-bench-{Environment.ProcessId}.dat");
        DatFile.Write(_path, _events);
        long offset = DatFile.ReadHeader(_path).DataOffset;
        _records = File.ReadAllBytes(_path)[(int)offset..];
        _decodeBuffer = new EventBuffer(Width, Height, EventCount);
        _ends = EventWindows.RegularEnds(50_000, DurationUs, 50_000);
        _histogram = new byte[20 * Height * Width];
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    /// <summary>Decoding alone: 480 MB of in-memory records → struct of arrays, validated.</summary>
    [Benchmark]
    public long DecodeInMemory()
    {
        long last = long.MinValue;
        DatDecoder.Decode(_records, _decodeBuffer.X, _decodeBuffer.Y, _decodeBuffer.P, _decodeBuffer.T, Width, Height,
            ref last, null, 0);
        return last;
    }

    /// <summary>DatFile.ReadAll of the 480 MB file (page cache warm): read + decode + allocation.</summary>
    [Benchmark]
    public int DatReadAll() => DatFile.ReadAll(_path).Count;

    /// <summary>One thread, 1200 windows of 50 ms built straight from the in-memory array.</summary>
    [Benchmark]
    public int StackedHistogramSingleThread()
    {
        var hist = new StackedHistogram(Height, Width);
        int sum = 0;
        foreach (long end in _ends)
        {
            int start = _events.LowerBound(end - 50_000);
            int stop = _events.UpperBound(end);
            hist.Build(new EventArray(_events.X[start..stop], _events.Y[start..stop], _events.P[start..stop], _events.T[start..stop], Width, Height), _histogram);
            sum += _histogram[0];
        }
        return sum;
    }

    /// <summary>The `represent` path: 1200 windows streamed from the .dat file, 2 workers, outputs discarded.</summary>
    [Benchmark]
    public long StackedHistogramStreamedParallel()
    {
        using var reader = new DatStreamReader(_path);
        long sum = 0;
        new WindowRepresentations(new StackedHistogram(Height, Width), maxParallelism: 2)
            .Run(reader, _ends, 50_000, (_, b) => sum += b[0]);
        return sum;
    }
}
