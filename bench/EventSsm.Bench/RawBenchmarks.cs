using System.Buffers.Binary;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using EventSsm.Events;

namespace EventSsm.Bench;

/// <summary>EVT 3.0 decoding throughput on vector-heavy synthetic data (32 events per 7 words).</summary>
[MemoryDiagnoser]
public class RawBenchmarks
{
    private byte[] _words = [];
    private GrowableEventBuffer _buffer = new();

    [GlobalSetup]
    public void Setup()
    {
        _words = RawSynth.Evt3Block(1 << 20, 0, out _);
        _buffer = new GrowableEventBuffer(_words.Length * 6);
    }

    [Benchmark]
    public int DecodeEvt3Vectors()
    {
        var decoder = new Evt3Decoder(1280, 720);
        _buffer.Clear();
        decoder.Decode(RawSynth.Evt3Prefix, _buffer);
        decoder.Decode(_words, _buffer);
        return _buffer.Count;
    }
}

/// <summary>Synthetic EVT 3.0 data: every µs one row of 32 vector events and one single event.</summary>
internal static class RawSynth
{
    public const int Width = 1280;
    public const int Height = 720;
    private const int GroupWords = 7;

    /// <summary>A TIME_HIGH 0 so the first block has a time base.</summary>
    public static readonly byte[] Evt3Prefix = [0x00, 0x80];

    public static byte[] Header => System.Text.Encoding.Latin1.GetBytes($"% format EVT3;height={Height};width={Width}\n% end\n");

    /// <summary>About <paramref name="bytes"/> bytes of whole µs groups starting at time <paramref name="t0"/>.</summary>
    public static byte[] Evt3Block(int bytes, long t0, out long t1)
    {
        var words = new List<ushort>(bytes / 2 + 16);
        long t = t0;
        while (words.Count * 2 + (GroupWords + 1) * 2 <= bytes)
        {
            if ((t & 0xFFF) == 0)
            {
                words.Add((ushort)(0x8000 | ((t >> 12) & 0xFFF)));
            }
            int y = (int)(t % Height);
            int x = (int)(t * 37 % (Width - 40));
            words.Add((ushort)(0x6000 | (t & 0xFFF)));
            words.Add((ushort)(0x0000 | y));
            words.Add((ushort)(0x3000 | (int)((t & 1) << 11) | x));
            words.Add(0x4FFF);
            words.Add((ushort)(0x4000 | (t & 0xFFF)));
            words.Add(0x50FF);
            words.Add((ushort)(0x2000 | (x + 35)));
            t++;
        }
        t1 = t;
        var b = new byte[words.Count * 2];
        for (int i = 0; i < words.Count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), words[i]);
        }
        return b;
    }
}

/// <summary>
/// `dotnet run -c Release --project bench/EventSsm.Bench -- raw-memory [GB] [windowMs] [sequential|random] [reads]`:
/// writes a synthetic EVT 3.0 file of that size to /tmp, then either decodes it by consecutive time windows
/// (<see cref="RawEventReader.ReadWindows"/>) or opens it with <see cref="EventRecording.Open"/> (seek index) and reads
/// that many closed windows [T − w, T] at random T on two threads; prints peak RSS and throughput, and deletes the file.
/// </summary>
internal static class RawMemoryTool
{
    public static void Run(string[] args)
    {
        double gb = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2.0;
        long windowUs = (args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50) * 1000;
        string path = Path.Combine(Path.GetTempPath(), $"eventssm-synth-{Environment.ProcessId}.raw");
        try
        {
            var sw = Stopwatch.StartNew();
            long target = (long)(gb * (1L << 30));
            using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                fs.Write(RawSynth.Header);
                fs.Write(RawSynth.Evt3Prefix);
                long t = 0;
                while (fs.Length < target)
                {
                    fs.Write(RawSynth.Evt3Block((int)Math.Min(8 << 20, target - fs.Length + 16), t, out t));
                }
            }
            Console.WriteLine($"wrote {new FileInfo(path).Length / (double)(1L << 30):F2} GiB in {sw.Elapsed.TotalSeconds:F1} s; RSS peak so far {PeakRssMiB()} MiB");
            GC.Collect();
            if (args.Length > 2 && args[2] == "random")
            {
                RandomWindows(path, windowUs, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 2000);
            }
            else
            {
                SequentialWindows(path, windowUs);
            }
            Console.WriteLine($"peak RSS (VmHWM): {PeakRssMiB()} MiB");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void SequentialWindows(string path, long windowUs)
    {
        var sw = Stopwatch.StartNew();
        long events = 0;
        long windows = 0;
        int maxWindow = 0;
        using (RawEventReader reader = RawFile.Open(path))
        {
            foreach (RawEventWindow w in reader.ReadWindows(windowUs, reuseBuffers: true))
            {
                events += w.Events.Count;
                maxWindow = Math.Max(maxWindow, w.Events.Count);
                windows++;
            }
            Console.WriteLine($"decoded {events:N0} events in {windows} windows of {windowUs / 1000} ms (largest {maxWindow:N0}) in " +
                $"{sw.Elapsed.TotalSeconds:F1} s = {events / sw.Elapsed.TotalSeconds / 1e6:F0} M events/s; {reader.Stats}");
        }
    }

    private static void RandomWindows(string path, long windowUs, int reads)
    {
        var sw = Stopwatch.StartNew();
        using IEventReader reader = EventRecording.Open(path);
        RawTimeIndex index = ((RawStreamReader)reader).Index;
        Console.WriteLine($"indexed {index.Count:N0} events in {sw.Elapsed.TotalSeconds:F1} s: {index.CheckpointCount} checkpoints every " +
            $"{index.CheckpointBytes >> 10} KiB; {index.Stats}; RSS peak so far {PeakRssMiB()} MiB");
        long first = reader.TimeAt(0);
        long last = reader.TimeAt(reader.Count - 1);
        sw.Restart();
        long events = 0;
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
        double s = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{reads} random windows of {windowUs / 1000} ms on 2 threads: {events:N0} events in {s:F1} s = " +
            $"{reads / s:F0} windows/s, {s / reads * 2e3:F1} ms per window per thread, {events / s / 1e6:F0} M events/s");
    }

    internal static long PeakRssMiB()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64 >> 20;
    }
}
