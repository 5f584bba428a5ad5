using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>What a conversion wrote, and what the .raw decoder skipped (null for a .dat input).</summary>
public sealed record EventConversionResult(long Events, int Width, int Height, RawDecodeStats? RawStats);

/// <summary>
/// Converts event files between .raw (EVT 2.0/2.1/3.0 in, EVT 2.0 out) and .dat, streaming in chunks so memory stays
/// bounded whatever the file size. The output is written atomically.
/// </summary>
public static class EventFileConverter
{
    private const int DatChunkEvents = 1 << 16;

    /// <summary>
    /// Converts <paramref name="input"/> to <paramref name="output"/>; the kinds come from the extensions.
    /// <paramref name="rawFormat"/> picks the .raw encoding written (only "evt2"). <paramref name="progress"/> gets the
    /// fraction of the input read.
    /// </summary>
    public static EventConversionResult Convert(string input, string output, string rawFormat = "evt2",
        IProgress<double>? progress = null, int? width = null, int? height = null)
    {
        bool inRaw = IsKind(input, ".raw");
        bool outRaw = IsKind(output, ".raw");
        if (!inRaw && !IsKind(input, ".dat"))
        {
            throw new ArgumentException($"{input}: input must be a .raw or .dat file");
        }
        if (!outRaw && !IsKind(output, ".dat"))
        {
            throw new ArgumentException($"{output}: output must be a .raw or .dat file");
        }
        if (outRaw && !rawFormat.Equals("evt2", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"raw output format '{rawFormat}' is not supported (only evt2 can be written)");
        }
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
        {
            throw new ArgumentException($"{input}: input and output are the same file");
        }
        return inRaw
            ? ConvertFromRaw(input, output, outRaw, progress, width, height)
            : ConvertFromDat(input, output, outRaw, progress);
    }

    private static bool IsKind(string path, string ext) =>
        Path.GetExtension(path).Equals(ext, StringComparison.OrdinalIgnoreCase);

    private static EventConversionResult ConvertFromRaw(string input, string output, bool outRaw,
        IProgress<double>? progress, int? width, int? height)
    {
        using RawEventReader reader = RawEventReader.Open(input, width, height, 1 << 20);
        int w = reader.Header.Width;
        int h = reader.Header.Height;
        long n = 0;
        var buffer = new GrowableEventBuffer();
        WriteAtomically(output, outRaw, w, h, sink =>
        {
            while (reader.ReadChunk(buffer))
            {
                sink(new EventArray(buffer.X, buffer.Y, buffer.P, buffer.T, w, h, buffer.Count));
                n += buffer.Count;
                buffer.Clear();
                progress?.Report((double)reader.Position / Math.Max(1, reader.Length));
            }
        });
        return new EventConversionResult(n, w, h, reader.Stats);
    }

    private static EventConversionResult ConvertFromDat(string input, string output, bool outRaw, IProgress<double>? progress)
    {
        using var reader = new DatStreamReader(input);
        var buffer = new EventBuffer(reader.Width, reader.Height, DatChunkEvents);
        long n = 0;
        WriteAtomically(output, outRaw, reader.Width, reader.Height, sink =>
        {
            while (n < reader.Count)
            {
                int k = (int)Math.Min(DatChunkEvents, reader.Count - n);
                sink(reader.Read(n, k, buffer));
                n += k;
                progress?.Report((double)n / reader.Count);
            }
        });
        return new EventConversionResult(n, reader.Width, reader.Height, null);
    }

    private static void WriteAtomically(string output, bool outRaw, int width, int height, Action<Action<EventArray>> produce)
    {
        AtomicFile.Write(output, s =>
        {
            if (outRaw)
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
