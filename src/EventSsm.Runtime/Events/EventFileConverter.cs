using System.Runtime.InteropServices;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// What a conversion wrote, and what the .raw decoder skipped (null for other inputs). External triggers are kept
/// where the output has a place for them (.raw: EXT_TRIGGER words) and counted as dropped otherwise.
/// </summary>
public sealed record EventConversionResult(long Events, int Width, int Height, RawDecodeStats? RawStats,
    long TriggersWritten = 0, long TriggersDropped = 0);

/// <summary>
/// Converts event files: any format <see cref="EventRecording"/> reads (.raw EVT 2.0/2.1/3.0, .dat, RVT/DSEC .h5,
/// Metavision .hdf5, .csv/.txt) to .raw (EVT 2.0), .dat, RVT raw event HDF5 (.h5/.hdf5) or .csv/.txt, streaming in
/// chunks so memory stays bounded whatever the file size. The output is written atomically. An .h5 input is read
/// as RVT's H5Reader returns it (p = max(p, 0), t made non-decreasing); a .raw input as decoded (no correction).
/// External triggers (.raw and Metavision .hdf5 inputs) go to a .raw output as EXT_TRIGGER words, merged by time;
/// .dat, .h5 and .csv have no place for them (docs/FORMATS.md §3).
/// </summary>
public static class EventFileConverter
{
    private const int ChunkEvents = 1 << 16;

    /// <summary>The task name of the progress reports.</summary>
    private const string ProgressTask = "convert";

    /// <summary>
    /// Converts <paramref name="input"/> to <paramref name="output"/>; the kinds come from the extensions.
    /// <paramref name="rawFormat"/> picks the .raw encoding written (only "evt2"). <paramref name="progress"/> gets how much
    /// of the input is read: bytes of a .raw (a .raw → .h5 conversion reads it twice), events otherwise.
    /// <paramref name="width"/>/<paramref name="height"/> give the sensor size of inputs that do not state it.
    /// </summary>
    public static EventConversionResult Convert(string input, string output, string rawFormat = "evt2",
        IProgress<ProgressReport>? progress = null, int? width = null, int? height = null)
    {
        EventFileFormat inFormat = InputFormat(input);
        Kind outKind = KindOf(output) ?? throw new ArgumentException($"{output}: output must be a .raw, .dat, .h5, .hdf5, .csv or .txt file");
        if (outKind == Kind.Raw && !rawFormat.Equals("evt2", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"raw output format '{rawFormat}' is not supported (only evt2 can be written)");
        }
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
        {
            throw new ArgumentException($"{input}: input and output are the same file");
        }
        if (inFormat == EventFileFormat.Raw)
        {
            return ConvertFromRaw(input, output, outKind, progress, width, height);
        }
        SensorSize? size = width is { } w && height is { } h ? new SensorSize(w, h) : null;
        using IEventReader reader = EventRecording.Open(input, size);
        return ConvertFromReader(reader, output, outKind, progress);
    }

    private enum Kind
    {
        Raw,
        Dat,
        H5,
        Csv,
    }

    private static EventFileFormat InputFormat(string input)
    {
        try
        {
            return EventRecording.DetectFormat(input);
        }
        catch (NotSupportedException)
        {
            throw new ArgumentException($"{input}: input must be one of {EventRecording.SupportedExtensions}");
        }
    }

    private static Kind? KindOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".raw" => Kind.Raw,
        ".dat" => Kind.Dat,
        ".h5" or ".hdf5" => Kind.H5,
        ".csv" or ".txt" => Kind.Csv,
        _ => null,
    };

    private static EventConversionResult ConvertFromRaw(string input, string output, Kind outKind,
        IProgress<ProgressReport>? progress, int? width, int? height)
    {
        long? count = null;
        if (outKind == Kind.H5)
        {
            // PureHDF cannot grow a dataset, so an .h5 output needs the count first: one extra decoding pass.
            using RawEventReader counter = RawEventReader.Open(input, width, height, 1 << 20);
            var scratch = new GrowableEventBuffer();
            long total = 0;
            while (counter.ReadChunk(scratch))
            {
                total += scratch.Count;
                scratch.Clear();
                progress?.Report(new ProgressReport(ProgressTask, counter.Position, 2 * counter.Length, ProgressReport.Bytes));
            }
            count = total;
        }
        using RawEventReader reader = RawEventReader.Open(input, width, height, 1 << 20);
        if (outKind == Kind.Raw)
        {
            reader.Triggers = [];
        }
        int w = reader.Header.Width;
        int h = reader.Header.Height;
        long n = 0;
        var buffer = new GrowableEventBuffer();
        // An .h5 output read the file once already to count the events.
        long passes = count is null ? 1 : 2;
        (long written, _) = WriteAtomically(output, outKind, count, w, h, sink =>
        {
            while (reader.ReadChunk(buffer))
            {
                if (reader.Triggers is { Count: > 0 } triggers)
                {
                    sink.Triggers(triggers);
                    triggers.Clear();
                }
                sink.Events(new EventArray(buffer.X, buffer.Y, buffer.P, buffer.T, w, h, buffer.Count));
                n += buffer.Count;
                buffer.Clear();
                progress?.Report(new ProgressReport(ProgressTask, (passes - 1) * reader.Length + reader.Position, passes * reader.Length, ProgressReport.Bytes));
            }
        });
        long dropped = outKind == Kind.Raw ? reader.Stats.ExtTriggerWords - written : reader.Stats.ExtTriggerWords;
        return new EventConversionResult(n, w, h, reader.Stats, written, dropped);
    }

    private static EventConversionResult ConvertFromReader(IEventReader reader, string output, Kind outKind, IProgress<ProgressReport>? progress)
    {
        var buffer = new EventBuffer(reader.Width, reader.Height, ChunkEvents);
        var triggers = reader as PropheseeHdf5Reader;
        long n = 0;
        (long written, long dropped) = WriteAtomically(output, outKind, reader.Count, reader.Width, reader.Height, sink =>
        {
            long nextTrigger = 0;
            while (n < reader.Count)
            {
                int k = (int)Math.Min(ChunkEvents, reader.Count - n);
                EventArray events = reader.Read(n, k, buffer);
                // The triggers up to this chunk's last time go first, so the sink can merge them in.
                nextTrigger = QueueTriggers(triggers, nextTrigger, events.T[k - 1], sink);
                sink.Events(events);
                n += k;
                progress?.Report(new ProgressReport(ProgressTask, n, reader.Count, "events"));
            }
            QueueTriggers(triggers, nextTrigger, long.MaxValue, sink);
        });
        return new EventConversionResult(n, reader.Width, reader.Height, null, written, dropped);
    }

    /// <summary>Hands the triggers from <paramref name="next"/> with t ≤ <paramref name="until"/> to the sink.</summary>
    private static long QueueTriggers(PropheseeHdf5Reader? reader, long next, long until, Sink sink)
    {
        if (reader is null)
        {
            return next;
        }
        while (next < reader.TriggerCount)
        {
            ExternalTrigger[] batch = reader.ReadTriggers(next, (int)Math.Min(4096, reader.TriggerCount - next));
            int take = 0;
            while (take < batch.Length && batch[take].T <= until)
            {
                take++;
            }
            sink.Triggers(batch.AsSpan(0, take));
            next += take;
            if (take < batch.Length)
            {
                break;
            }
        }
        return next;
    }

    /// <summary>
    /// Writes the output atomically; returns the triggers written and dropped. <paramref name="count"/> is needed for
    /// an .h5 output only (PureHDF cannot grow a dataset).
    /// </summary>
    private static (long Written, long Dropped) WriteAtomically(string output, Kind outKind, long? count, int width, int height,
        Action<Sink> produce)
    {
        if (outKind == Kind.H5)
        {
            var dropping = new Sink(null, null);
            RawEventH5Writer.Write(output, count!.Value, width, height, sink =>
            {
                dropping.Write = sink;
                produce(dropping);
            });
            return (0, dropping.Dropped);
        }
        Sink? result = null;
        AtomicFile.Write(output, s =>
        {
            switch (outKind)
            {
                case Kind.Raw:
                    {
                        using var writer = new Evt2Writer(s, width, height, leaveOpen: true);
                        result = new Sink(null, writer);
                        produce(result);
                        result.Finish();
                        break;
                    }
                case Kind.Csv:
                    {
                        using var writer = new CsvEventWriter(s, width, height, leaveOpen: true);
                        result = new Sink(e => writer.Write(e), null);
                        produce(result);
                        break;
                    }
                default:
                    DatFile.WriteHeader(s, width, height);
                    result = new Sink(e => DatFile.WriteEvents(s, e, 0, e.Count), null);
                    produce(result);
                    break;
            }
        });
        return (result!.Written, result.Dropped);
    }

    /// <summary>
    /// Where converted events and triggers go. With an EVT 2.0 writer, queued triggers are written before the first
    /// later event (so the stream stays in time order); without one they are counted as dropped.
    /// </summary>
    private sealed class Sink(Action<EventArray>? write, Evt2Writer? raw)
    {
        private readonly Queue<ExternalTrigger> _pending = new();

        public Action<EventArray>? Write { get; set; } = write;

        public long Written { get; private set; }

        public long Dropped { get; private set; }

        public void Triggers(ReadOnlySpan<ExternalTrigger> triggers)
        {
            if (raw is null)
            {
                Dropped += triggers.Length;
                return;
            }
            foreach (ExternalTrigger t in triggers)
            {
                _pending.Enqueue(t);
            }
        }

        public void Triggers(List<ExternalTrigger> triggers) => Triggers(CollectionsMarshal.AsSpan(triggers));

        public void Events(EventArray events)
        {
            if (raw is null)
            {
                Write!(events);
                return;
            }
            if (_pending.Count == 0)
            {
                raw.Write(events);
                return;
            }
            for (int i = 0; i < events.Count; i++)
            {
                while (_pending.Count > 0 && _pending.Peek().T < events.T[i])
                {
                    WriteTrigger(_pending.Dequeue());
                }
                raw.Write(events.X[i], events.Y[i], events.P[i], events.T[i]);
            }
        }

        public void Finish()
        {
            while (_pending.Count > 0)
            {
                WriteTrigger(_pending.Dequeue());
            }
        }

        private void WriteTrigger(ExternalTrigger t)
        {
            raw!.WriteTrigger(t);
            Written++;
        }
    }
}
