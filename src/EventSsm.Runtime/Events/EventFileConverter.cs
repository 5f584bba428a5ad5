using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>What a conversion wrote, and what the .raw decoder skipped (null for a .dat input).</summary>
public sealed record EventConversionResult(long Events, int Width, int Height, RawDecodeStats? RawStats);

/// <summary>
/// Converts event files between .raw (EVT 2.0/2.1/3.0 in, EVT 2.0 out), .dat and RVT raw event HDF5 (.h5), streaming
/// in chunks so memory stays bounded whatever the file size. The output is written atomically. An .h5 input is read
/// as RVT's H5Reader returns it (p = max(p, 0), t made non-decreasing).
/// </summary>
public static class EventFileConverter
{
    private const int ChunkEvents = 1 << 16;

    /// <summary>
    /// Converts <paramref name="input"/> to <paramref name="output"/>; the kinds come from the extensions.
    /// <paramref name="rawFormat"/> picks the .raw encoding written (only "evt2"). <paramref name="progress"/> gets the
    /// fraction of the input read.
    /// </summary>
    public static EventConversionResult Convert(string input, string output, string rawFormat = "evt2",
        IProgress<double>? progress = null, int? width = null, int? height = null)
    {
        Kind inKind = KindOf(input) ?? throw new ArgumentException($"{input}: input must be a .raw, .dat or .h5 file");
        Kind outKind = KindOf(output) ?? throw new ArgumentException($"{output}: output must be a .raw, .dat or .h5 file");
        bool outRaw = outKind == Kind.Raw;
        if (outRaw && !rawFormat.Equals("evt2", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"raw output format '{rawFormat}' is not supported (only evt2 can be written)");
        }
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
        {
            throw new ArgumentException($"{input}: input and output are the same file");
        }
        return inKind switch
        {
            Kind.Raw => ConvertFromRaw(input, output, outKind, progress, width, height),
            Kind.Dat => ConvertFromDat(input, output, outKind, progress),
            _ => ConvertFromH5(input, output, outKind, progress, DefaultSize(width, height)),
        };
    }

    private enum Kind
    {
        Raw,
        Dat,
        H5,
    }

    private static Kind? KindOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".raw" => Kind.Raw,
        ".dat" => Kind.Dat,
        ".h5" or ".hdf5" => Kind.H5,
        _ => null,
    };

    /// <summary>The size an .h5 without events/width and events/height gets: the options, else gen1's.</summary>
    private static SensorSize? DefaultSize(int? width, int? height) =>
        width is { } w && height is { } h ? new SensorSize(w, h) : null;

    private static EventConversionResult ConvertFromRaw(string input, string output, Kind outKind,
        IProgress<double>? progress, int? width, int? height)
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
                progress?.Report(0.5 * counter.Position / Math.Max(1, counter.Length));
            }
            count = total;
        }
        using RawEventReader reader = RawEventReader.Open(input, width, height, 1 << 20);
        int w = reader.Header.Width;
        int h = reader.Header.Height;
        long n = 0;
        var buffer = new GrowableEventBuffer();
        double offset = count is null ? 0 : 0.5;
        WriteAtomically(output, outKind, count, w, h, sink =>
        {
            while (reader.ReadChunk(buffer))
            {
                sink(new EventArray(buffer.X, buffer.Y, buffer.P, buffer.T, w, h, buffer.Count));
                n += buffer.Count;
                buffer.Clear();
                progress?.Report(offset + (1 - offset) * reader.Position / Math.Max(1, reader.Length));
            }
        });
        return new EventConversionResult(n, w, h, reader.Stats);
    }

    private static EventConversionResult ConvertFromDat(string input, string output, Kind outKind, IProgress<double>? progress)
    {
        using var reader = new DatStreamReader(input);
        var buffer = new EventBuffer(reader.Width, reader.Height, ChunkEvents);
        return CopyInChunks(output, outKind, reader.Count, reader.Width, reader.Height, progress,
            (start, k) => reader.Read(start, k, buffer));
    }

    private static EventConversionResult ConvertFromH5(string input, string output, Kind outKind,
        IProgress<double>? progress, SensorSize? defaultSize)
    {
        using RawEventH5Reader reader = RawEventH5Reader.Open(input, defaultSize);
        return CopyInChunks(output, outKind, reader.Count, reader.Size.Width, reader.Size.Height, progress,
            reader.ReadRange);
    }

    private static EventConversionResult CopyInChunks(string output, Kind outKind, long count, int width, int height,
        IProgress<double>? progress, Func<long, int, EventArray> read)
    {
        long n = 0;
        WriteAtomically(output, outKind, count, width, height, sink =>
        {
            while (n < count)
            {
                int k = (int)Math.Min(ChunkEvents, count - n);
                sink(read(n, k));
                n += k;
                progress?.Report((double)n / count);
            }
        });
        return new EventConversionResult(n, width, height, null);
    }

    private static void WriteAtomically(string output, Kind outKind, long? count, int width, int height,
        Action<Action<EventArray>> produce)
    {
        if (outKind == Kind.H5)
        {
            RawEventH5Writer.Write(output, count!.Value, width, height, produce);
            return;
        }
        AtomicFile.Write(output, s =>
        {
            if (outKind == Kind.Raw)
            {
                using var writer = new Evt2Writer(s, width, height, leaveOpen: true);
                produce(e => writer.Write(e));
            }
            else
            {
                DatFile.WriteHeader(s, width, height);
                produce(e => DatFile.WriteEvents(s, e, 0, e.Count));
            }
        });
    }
}
