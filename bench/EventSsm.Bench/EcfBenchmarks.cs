using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using EventSsm.Events;
using EventSsm.IO.Hdf5;

namespace EventSsm.Bench;

/// <summary>
/// ECF (Metavision HDF5) block decoding, one 16384-event block per mode: YXP (random pixels of a 1280×720 sensor),
/// XP (rows of scattered x) and MASKED (rows of adjacent x); times rise by 0..3 µs. M events/s = 16.384 / mean ms.
/// </summary>
[MemoryDiagnoser]
public class EcfBenchmarks
{
    private const int N = 16384;
    private readonly ushort[] _x = new ushort[N];
    private readonly ushort[] _y = new ushort[N];
    private readonly byte[] _p = new byte[N];
    private readonly long[] _t = new long[N];
    private byte[] _yxp = [];
    private byte[] _xp = [];
    private byte[] _masked = [];

    [GlobalSetup]
    public void Setup()
    {
        _yxp = Block(0);
        _xp = Block(1);
        _masked = Block(2);
    }

    private static byte[] Block(int style)
    {
        var rng = new Random(style);
        var x = new ushort[N];
        var y = new ushort[N];
        var p = new byte[N];
        var t = new long[N];
        long time = 0;
        int row = 0;
        int col = 0;
        for (int i = 0; i < N; i++)
        {
            time += rng.Next(4);
            if (i % 37 == 0)
            {
                row = rng.Next(720);
                col = rng.Next(900);
            }
            col += style == 1 ? rng.Next(6, 9) : rng.Next(1, 3);
            (x[i], y[i], p[i], t[i]) = style == 0
                ? ((ushort)rng.Next(1280), (ushort)rng.Next(720), (byte)rng.Next(2), time)
                : ((ushort)Math.Min(col, 1279), (ushort)row, (byte)(rng.Next(10) < 7 ? 1 : 0), time);
        }
        return EcfCodec.Encode(x, y, p, t);
    }

    [Benchmark]
    public int DecodeYxp() => EcfCodec.Decode(_yxp, _x, _y, _p, _t, out _);

    [Benchmark]
    public int DecodeXp() => EcfCodec.Decode(_xp, _x, _y, _p, _t, out _);

    [Benchmark]
    public int DecodeMasked() => EcfCodec.Decode(_masked, _x, _y, _p, _t, out _);

    [Benchmark]
    public int EncodeYxp() => EcfCodec.Encode(_x, _y, _p, _t).Length;
}

/// <summary>
/// `hdf5-memory FILE [window ms] [random N]`: reads a Metavision HDF5 file (e.g. one made by
/// scripts/fixtures/make_big_prophesee_hdf5.py) through <see cref="EventRecording.Open"/> in consecutive windows,
/// or N random windows on 2 threads, and prints throughput and peak RSS.
/// </summary>
internal static class Hdf5MemoryTool
{
    public static void Run(string[] args)
    {
        string path = args[0];
        long windowUs = (args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 50) * 1000;
        var sw = Stopwatch.StartNew();
        using IEventReader reader = EventRecording.Open(path);
        var hdf5 = (PropheseeHdf5Reader)reader;
        Console.WriteLine($"opened {new FileInfo(path).Length / (double)(1L << 30):F2} GiB, {reader.Count:N0} events in {hdf5.ChunkCount:N0} chunks " +
            $"({hdf5.ChunkAccess}) in {sw.Elapsed.TotalSeconds:F2} s; RSS peak so far {RawMemoryTool.PeakRssMiB()} MiB");
        long first = reader.TimeAt(0);
        long last = reader.TimeAt(reader.Count - 1);
        sw.Restart();
        long events = 0;
        int windows = 0;
        if (args.Length > 2 && args[2] == "random")
        {
            int reads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2000;
            Parallel.For(0, 2, worker =>
            {
                var rng = new Random(worker);
                var buffer = new EventBuffer(reader.Width, reader.Height);
                long mine = 0;
                for (int i = worker; i < reads; i += 2)
                {
                    mine += EventWindows.Read(reader, rng.NextInt64(first, last + 1), windowUs, buffer).Events.Count;
                }
                Interlocked.Add(ref events, mine);
            });
            windows = reads;
        }
        else
        {
            var buffer = new EventBuffer(reader.Width, reader.Height);
            for (long end = first + windowUs; end - windowUs <= last; end += windowUs)
            {
                events += EventWindows.Read(reader, end, windowUs, buffer).Events.Count;
                windows++;
            }
        }
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{windows:N0} windows of {windowUs / 1000} ms: {events:N0} events in {s:F1} s = {events / s / 1e6:F1} M events/s, " +
            $"{s / windows * 1e3:F2} ms per window; peak RSS (VmHWM) {RawMemoryTool.PeakRssMiB()} MiB");
    }
}
