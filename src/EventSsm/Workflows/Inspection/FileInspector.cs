using System.Globalization;
using EventSsm.Checkpoints;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Hdf5;
using EventSsm.IO.Numpy;
using EventSsm.Labels;
using EventSsm.Representations;

namespace EventSsm.Workflows.Inspection;

/// <summary>
/// Human-readable summaries of the files EventSsm reads, one line per fact, for `eventssm inspect`. A new format is
/// one case in <see cref="Describe"/> plus its describer.
/// </summary>
public static class FileInspector
{
    /// <summary>The file types <c>inspect</c> describes.</summary>
    public const string SupportedTypes = ".dat, .raw, .h5, .hdf5, .csv, .txt, .npy, .npz, .pt, .pth, .ckpt, .safetensors";

    /// <summary>
    /// Describes <paramref name="path"/>; <paramref name="progress"/> gets the bytes read during the streaming pass
    /// over a .raw file (task <c>inspect</c>). <paramref name="classNames"/> name the class ids of a box (.npy) file;
    /// without them, a DSEC-Det tracks.npy gets DSEC-Det's names and other files show ids only.
    /// </summary>
    public static IReadOnlyList<string> Describe(string path, IProgress<ProgressReport>? progress = null, IReadOnlyList<string>? classNames = null)
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
            ".csv" or ".txt" => DescribeCsv(path),
            ".npy" => DescribeNpy(path, classNames),
            ".npz" => DescribeNpz(path),
            ".pt" or ".pth" or ".ckpt" => CheckpointInspector.DescribeTorch(path),
            ".safetensors" => CheckpointInspector.DescribeSafetensors(path),
            _ => throw new NotSupportedException($"{path}: cannot inspect '{ext}' files (supported: {SupportedTypes})"),
        };
    }

    private static List<string> DescribeDat(string path)
    {
        using var reader = new DatStreamReader(path);
        var lines = new List<string>
        {
            "format: Prophesee Event2D .dat",
            $"header: {reader.Header.Lines.Count} lines, {reader.Header.DataOffset} bytes, ev_type {reader.Header.EventType}, ev_size {reader.Header.EventSize}",
            $"sensor: {reader.Width}×{reader.Height} (W×H)",
        };
        lines.AddRange(DescribeStream(reader));
        return lines;
    }

    /// <summary>Header facts, then one streaming decoding pass (bounded memory) for counts, time range and skipped words.</summary>
    private static List<string> DescribeRaw(string path, IProgress<ProgressReport>? progress)
    {
        using RawEventReader reader = RawEventReader.Open(path, chunkBytes: 1 << 20);
        reader.Triggers = [];
        var triggers = new TriggerTally();
        RawFileHeader h = reader.Header;
        var lines = new List<string>
        {
            $"format: Metavision .raw, {h.Format} ({h.WordSize}-byte words)",
            $"header: {h.Fields.Count} lines, {h.DataOffset} bytes; keys: {string.Join(", ", h.Fields.Select(f => f.Key).Distinct())}",
            $"sensor: {h.Width}×{h.Height} (W×H)" + (h.SizeSource == "header" ? "" : $", from {h.SizeSource}"),
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
            triggers.Add(reader.Triggers);
            reader.Triggers.Clear();
            progress?.Report(new ProgressReport("inspect", reader.Position, reader.Length, ProgressReport.Bytes));
        }
        RawDecodeStats stats = reader.Stats;
        lines.Add($"events: {N(stats.CdEvents)}");
        if (stats.CdEvents > 0)
        {
            lines.AddRange(TimeRange(stats.CdEvents, first, last));
            if (backward > 0)
            {
                lines.Add($"time order: {N(backward)} steps back in time; min {N(min)}, max {N(max)} µs");
            }
            lines.Add($"polarity: ON {N(on)}, OFF {N(stats.CdEvents - on)}");
        }
        lines.AddRange(triggers.Describe());
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
        if (PropheseeHdf5Reader.IsPropheseeHdf5(path))
        {
            lines.AddRange(DescribePropheseeHdf5(path));
            lines.AddRange(structure);
            return lines;
        }
        bool hasEvents = structure.Any(l => l.StartsWith("/events/ (group)", StringComparison.Ordinal));
        bool hasData = structure.Any(l => l.StartsWith($"/{RepresentationH5Reader.DatasetName}:", StringComparison.Ordinal));
        if (hasEvents)
        {
            using RawEventH5Reader reader = RawEventH5Reader.Open(path);
            bool sized = structure.Any(l => l.Contains("/events/width:", StringComparison.Ordinal));
            lines.Add(reader.IsDsec
                ? $"format: DSEC events.h5 (t_offset {(reader.TimeOffsetUs is { } o ? N(o) : "absent")} µs added: times are absolute)"
                : "format: RVT raw event HDF5");
            lines.Add($"sensor: {reader.Size.Width}×{reader.Size.Height} (W×H)"
                + (sized ? "" : reader.IsDsec ? " (no events/width, events/height: DSEC's sensor)" : " (no events/width, events/height: gen1 default)"));
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

    private static List<string> DescribeNpy(string path, IReadOnlyList<string>? classNames)
    {
        (NpyDType dtype, long[] shape) = NpyFile.ReadHeader(path);
        List<string> lines = ["format: NumPy .npy", .. DescribeArray(dtype, shape)];
        if (IsBoxArray(dtype, shape))
        {
            lines.AddRange(DescribeBoxes(path, classNames ?? (DsecDetLabels.IsTracksPath(path) ? DsecDetLabels.ClassNames : null)));
        }
        return lines;
    }

    /// <summary>A 1-D structured array with Prophesee box fields (t or ts, x, y, w, h, class_id).</summary>
    private static bool IsBoxArray(NpyDType dtype, long[] shape) =>
        dtype.IsStructured && shape.Length == 1
        && (dtype.TryGetField("t", out _) || dtype.TryGetField("ts", out _))
        && new[] { "x", "y", "w", "h", "class_id" }.All(f => dtype.TryGetField(f, out _));

    /// <summary>Box count, time range, label times and per-class counts (with names when known).</summary>
    private static IEnumerable<string> DescribeBoxes(string path, IReadOnlyList<string>? classNames)
    {
        BoundingBox[] boxes = BoundingBoxFile.Read(path);
        yield return $"boxes: {N(boxes.Length)}" + (boxes.Length == 0 ? ""
            : $" at {N(boxes.Select(b => b.T).Distinct().LongCount())} label times, {N(boxes.Min(b => b.T))} … {N(boxes.Max(b => b.T))} µs");
        foreach ((uint id, long count) in BoundingBoxFile.CountByClass(boxes))
        {
            string name = classNames is null ? "" : id < classNames.Count ? $" {classNames[(int)id]}" : " (no such class in the list)";
            yield return $"class {id}{name}: {N(count)}";
        }
    }

    private static List<string> DescribeCsv(string path)
    {
        using var reader = CsvEventReader.Open(path);
        var lines = new List<string>
        {
            "format: text events (t,x,y,p per line)",
            $"sensor: {reader.Width}×{reader.Height} (W×H), {(reader.SizeSource == "inferred" ? "inferred from the largest coordinates" : "from a comment")}",
        };
        lines.AddRange(DescribeStream(reader));
        return lines;
    }

    private static List<string> DescribePropheseeHdf5(string path)
    {
        using PropheseeHdf5Reader reader = PropheseeHdf5Reader.Open(path);
        var lines = new List<string>
        {
            "format: Metavision HDF5 (ECF-compressed CD events)",
            $"sensor: {reader.Width}×{reader.Height} (W×H)",
            $"attributes: {string.Join(", ", reader.Attributes.Select(a => $"{a.Key}={a.Value}"))}",
            $"chunks: {N(reader.ChunkCount)} of {N(reader.ChunkEvents)} events, read {(reader.ChunkAccess == "direct" ? "directly (version-1 B-tree index)" : "through PureHDF")}",
        };
        lines.AddRange(DescribeStream(reader));
        if (reader.TimeShiftUs is { } shift)
        {
            lines.Add($"time_shift: {N(shift)} µs (Metavision can subtract it; times above are as stored)");
        }
        if (reader.ClampedEvents > 0)
        {
            lines.Add($"time order: {N(reader.ClampedEvents)} events clamped where a chunk overlaps the next in time");
        }
        var triggers = new TriggerTally();
        for (long at = 0; at < reader.TriggerCount; at += 1 << 16)
        {
            triggers.Add(reader.ReadTriggers(at, (int)Math.Min(1 << 16, reader.TriggerCount - at)));
        }
        lines.AddRange(triggers.Describe());
        return lines;
    }

    /// <summary>Event count, time range, rate and polarities from one bounded-memory pass over a reader.</summary>
    private static List<string> DescribeStream(IEventReader reader)
    {
        long on = 0;
        foreach (EventArray chunk in EventWindows.ByCount(reader, 1 << 16))
        {
            on += chunk.P.AsSpan(0, chunk.Count).Count((byte)1);
        }
        var lines = new List<string> { $"events: {N(reader.Count)}" };
        if (reader.Count > 0)
        {
            lines.AddRange(TimeRange(reader.Count, reader.TimeAt(0), reader.TimeAt(reader.Count - 1)));
            lines.Add($"polarity: ON {N(on)}, OFF {N(reader.Count - on)}");
        }
        return lines;
    }

    /// <summary>The first and last event time (µs) of <paramref name="count"/> events, and their mean rate.</summary>
    private static IEnumerable<string> TimeRange(long count, long t0, long t1)
    {
        double seconds = (t1 - t0) / 1e6;
        yield return $"time: {N(t0)} … {N(t1)} µs ({seconds.ToString("0.000", CultureInfo.InvariantCulture)} s)";
        if (seconds > 0)
        {
            yield return $"rate: {(count / seconds / 1e6).ToString("0.000", CultureInfo.InvariantCulture)} Mev/s";
        }
    }

    /// <summary>External triggers per channel and edge, for the inspect line.</summary>
    private sealed class TriggerTally
    {
        private readonly SortedDictionary<int, (long Rising, long Falling)> _channels = [];
        private long _count;
        private long _first = long.MaxValue;
        private long _last = long.MinValue;

        public void Add(IEnumerable<ExternalTrigger> triggers)
        {
            foreach (ExternalTrigger t in triggers)
            {
                (long r, long f) = _channels.GetValueOrDefault(t.Id);
                _channels[t.Id] = t.Polarity == 1 ? (r + 1, f) : (r, f + 1);
                _count++;
                _first = Math.Min(_first, t.T);
                _last = Math.Max(_last, t.T);
            }
        }

        public IEnumerable<string> Describe()
        {
            if (_count == 0)
            {
                yield return "external triggers: 0";
                yield break;
            }
            yield return $"external triggers: {N(_count)}, {N(_first)} … {N(_last)} µs; "
                + string.Join(", ", _channels.Select(c => $"channel {c.Key}: {N(c.Value.Rising)} rising, {N(c.Value.Falling)} falling"));
        }
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
