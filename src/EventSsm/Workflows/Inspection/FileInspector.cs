using System.Globalization;
using EventSsm.Checkpoints;
using EventSsm.Events;
using EventSsm.IO.Hdf5;
using EventSsm.IO.Numpy;
using EventSsm.Representations;

namespace EventSsm.Workflows.Inspection;

/// <summary>
/// Human-readable summaries of the files EventSsm reads, one line per fact, for `eventssm inspect`. A new format is
/// one case in <see cref="Describe"/> plus its describer.
/// </summary>
public static class FileInspector
{
    public const string SupportedTypes = ".dat, .raw, .h5, .npy, .npz, .pt, .pth, .ckpt, .safetensors";

    /// <summary>
    /// Describes <paramref name="path"/>; <paramref name="progress"/> gets the fraction read during the streaming pass
    /// over a .raw file.
    /// </summary>
    public static IReadOnlyList<string> Describe(string path, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".dat" => DescribeDat(path),
            ".raw" => DescribeRaw(path, progress),
            ".h5" or ".hdf5" => DescribeH5(path),
            ".npy" => DescribeNpy(path),
            ".npz" => DescribeNpz(path),
            ".pt" or ".pth" or ".ckpt" => CheckpointInspector.DescribeTorch(path),
            ".safetensors" => CheckpointInspector.DescribeSafetensors(path),
            _ => throw new NotSupportedException($"{path}: cannot inspect '{ext}' files (supported: {SupportedTypes})"),
        };
    }

    /// <summary>Streams the events once (bounded memory) to count polarities and check order and coordinates.</summary>
    private static List<string> DescribeDat(string path)
    {
        using var reader = new DatStreamReader(path);
        long on = 0;
        foreach (EventArray chunk in EventWindows.ByCount(reader, 1 << 20))
        {
            on += chunk.P.AsSpan(0, chunk.Count).Count((byte)1);
        }
        var lines = new List<string>
        {
            "format: Prophesee Event2D .dat",
            $"header: {reader.Header.Lines.Count} lines, {reader.Header.DataOffset} bytes, ev_type {reader.Header.EventType}, ev_size {reader.Header.EventSize}",
            $"sensor: {reader.Width}×{reader.Height} (W×H)",
            $"events: {N(reader.Count)}",
        };
        if (reader.Count > 0)
        {
            long t0 = reader.TimeAt(0);
            long t1 = reader.TimeAt(reader.Count - 1);
            double seconds = (t1 - t0) / 1e6;
            lines.Add($"time: {N(t0)} … {N(t1)} µs ({seconds.ToString("0.000", CultureInfo.InvariantCulture)} s)");
            lines.Add($"polarity: ON {N(on)}, OFF {N(reader.Count - on)}");
            if (seconds > 0)
            {
                lines.Add($"rate: {(reader.Count / seconds / 1e6).ToString("0.000", CultureInfo.InvariantCulture)} Mev/s");
            }
        }
        return lines;
    }

    /// <summary>Header facts, then one streaming decoding pass (bounded memory) for counts, time range and skipped words.</summary>
    private static List<string> DescribeRaw(string path, IProgress<double>? progress)
    {
        using RawEventReader reader = RawEventReader.Open(path, chunkBytes: 1 << 20);
        RawFileHeader h = reader.Header;
        var lines = new List<string>
        {
            $"format: Metavision .raw, {h.Format} ({h.WordSize}-byte words)",
            $"header: {h.Fields.Count} lines, {h.DataOffset} bytes; keys: {string.Join(", ", h.Fields.Select(f => f.Key).Distinct())}",
            $"sensor: {h.Width}×{h.Height} (W×H)",
        };
        var buffer = new GrowableEventBuffer(0);
        long on = 0;
        long first = 0;
        long last = 0;
        long min = long.MaxValue;
        long max = long.MinValue;
        long backward = 0;
        bool seen = false;
        while (reader.ReadChunk(buffer))
        {
            int n = buffer.Count;
            if (n > 0)
            {
                if (!seen)
                {
                    seen = true;
                    first = buffer.T[0];
                    last = first;
                }
                on += buffer.P.AsSpan(0, n).Count((byte)1);
                foreach (long t in buffer.T.AsSpan(0, n))
                {
                    backward += t < last ? 1 : 0;
                    last = t;
                    min = Math.Min(min, t);
                    max = Math.Max(max, t);
                }
            }
            buffer.Clear();
            progress?.Report((double)reader.Position / Math.Max(1, reader.Length));
        }
        RawDecodeStats stats = reader.Stats;
        lines.Add($"events: {N(stats.CdEvents)}");
        if (stats.CdEvents > 0)
        {
            double seconds = (last - first) / 1e6;
            lines.Add($"time: {N(first)} … {N(last)} µs ({seconds.ToString("0.000", CultureInfo.InvariantCulture)} s)");
            if (backward > 0)
            {
                lines.Add($"time order: {N(backward)} steps back in time; min {N(min)}, max {N(max)} µs");
            }
            lines.Add($"polarity: ON {N(on)}, OFF {N(stats.CdEvents - on)}");
        }
        lines.Add($"skipped words: {N(stats.SkippedNonCdWords)} (triggers {N(stats.ExtTriggerWords)}, others {N(stats.OtherWords)}, "
            + $"continued {N(stats.ContinuedWords)}, unknown {N(stats.UnknownWords)})");
        lines.Add($"time high: {N(stats.TimeHighWords)} words, {N(stats.TimeHighWraps)} wraps, {N(stats.TimeHighBackwardSteps)} backward steps");
        if (stats.EventsBeforeTimeBase + stats.EventsWithoutAddress > 0)
        {
            lines.Add($"dropped events: {N(stats.EventsBeforeTimeBase)} before the first time high, {N(stats.EventsWithoutAddress)} without an address");
        }
        return lines;
    }

    /// <summary>
    /// The HDF5 structure, then what the layout means: raw events (group <c>events</c>) or RVT's preprocessed
    /// representations (dataset <c>/data</c>).
    /// </summary>
    private static List<string> DescribeH5(string path)
    {
        var lines = new List<string>();
        List<string> structure = Hdf5Inspector.Describe(path).Skip(1).ToList();
        bool hasEvents = structure.Any(l => l.StartsWith("/events/ (group)", StringComparison.Ordinal));
        bool hasData = structure.Any(l => l.StartsWith($"/{RepresentationH5Reader.DatasetName}:", StringComparison.Ordinal));
        if (hasEvents)
        {
            using RawEventH5Reader reader = RawEventH5Reader.Open(path);
            lines.Add("format: RVT raw event HDF5");
            lines.Add($"sensor: {reader.Size.Width}×{reader.Size.Height} (W×H)"
                + (structure.Any(l => l.Contains("/events/width:", StringComparison.Ordinal)) ? "" : " (no events/width, events/height: gen1 default)"));
            lines.Add($"events: {N(reader.Count)}");
            if (reader.Count > 0)
            {
                long t0 = reader.ReadRange(0, 1).T[0];
                long t1 = reader.ReadRange(reader.Count - 1, 1).T[0];
                lines.Add($"time: {N(t0)} … {N(t1)} µs ({((t1 - t0) / 1e6).ToString("0.000", CultureInfo.InvariantCulture)} s, after RVT's running maximum)");
            }
        }
        else if (hasData)
        {
            using RepresentationH5Reader reader = RepresentationH5Reader.Open(path);
            lines.Add("format: RVT event representations HDF5");
            lines.Add($"frames: ({reader.Count}, {reader.Channels}, {reader.Height}, {reader.Width}) (N, C, H, W) uint8");
            if (reader.Count > 0)
            {
                byte[] frame = reader.ReadFrame(0);
                lines.Add($"frame 0: min {frame.Min()}, max {frame.Max()}, {N(frame.Count(v => v != 0))} nonzero of {N(frame.Length)}");
            }
        }
        else
        {
            lines.Add("format: HDF5");
        }
        lines.AddRange(structure);
        return lines;
    }

    private static List<string> DescribeNpy(string path)
    {
        (NpyDType dtype, long[] shape) = NpyFile.ReadHeader(path);
        return ["format: NumPy .npy", .. DescribeArray(dtype, shape)];
    }

    private static List<string> DescribeNpz(string path)
    {
        using NpzFile npz = NpzFile.Open(path);
        var lines = new List<string> { $"format: NumPy .npz, {npz.Keys.Count} member(s)" };
        foreach (string key in npz.Keys.Order(StringComparer.Ordinal))
        {
            (NpyDType dtype, long[] shape) = npz.ReadHeader(key);
            lines.Add($"member '{key}':");
            lines.AddRange(DescribeArray(dtype, shape).Select(l => "  " + l));
        }
        return lines;
    }

    private static IEnumerable<string> DescribeArray(NpyDType dtype, long[] shape)
    {
        yield return $"shape: ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : string.Empty)})";
        if (dtype.IsStructured)
        {
            yield return $"dtype: structured, {dtype.ItemSize} bytes per record";
            foreach (NpyField f in dtype.Fields.OrderBy(f => f.Offset))
            {
                yield return $"  field '{f.Name}': {f.Type} at byte {f.Offset}";
            }
        }
        else
        {
            yield return $"dtype: {dtype}";
        }
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
