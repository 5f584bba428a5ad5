using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>All the CD events of a .raw file, with its header and what else the decoder saw.</summary>
public sealed record RawReadResult(RawFileHeader Header, EventArray Events, RawDecodeStats Stats);

/// <summary>
/// Prophesee Metavision .raw recordings (EVT 2.0, 2.1, 3.0): whole-file reads, streaming, and EVT 2.0 writing.
/// </summary>
public static class RawFile
{
    /// <summary>
    /// Reads the header of a .raw file; <paramref name="width"/>/<paramref name="height"/> override its geometry.
    /// </summary>
    public static RawFileHeader ReadHeader(string path, int? width = null, int? height = null) =>
        RawFileHeader.Read(path, width, height);

    /// <summary>Opens a file for streaming by chunk or time window (bounded memory).</summary>
    public static RawEventReader Open(string path, int? width = null, int? height = null) =>
        RawEventReader.Open(path, width, height);

    /// <summary>Reads every CD event. For multi-GB files, stream by time window with <see cref="Open"/> instead.</summary>
    public static RawReadResult ReadAll(string path, int? width = null, int? height = null)
    {
        using RawEventReader reader = RawEventReader.Open(path, width, height, 1 << 20);
        var buffer = new GrowableEventBuffer();
        while (reader.ReadChunk(buffer))
        {
        }
        RawFileHeader h = reader.Header;
        // Keep the buffer's arrays unless their spare capacity is large.
        EventArray events = buffer.Capacity - buffer.Count > buffer.Count / 4
            ? buffer.ToEventArray(0, buffer.Count, h.Width, h.Height)
            : new EventArray(buffer.X, buffer.Y, buffer.P, buffer.T, h.Width, h.Height, buffer.Count);
        return new RawReadResult(h, events, reader.Stats);
    }

    /// <summary>Decodes an in-memory .raw image (header and events); for tests and small streams.</summary>
    public static RawReadResult Decode(ReadOnlySpan<byte> file, string? name = null, int? width = null, int? height = null)
    {
        using var ms = new MemoryStream(file.ToArray(), writable: false);
        RawFileHeader h = RawFileHeader.Read(ms, name, width, height);
        RawDecoder decoder = RawDecoder.Create(h, name);
        var buffer = new GrowableEventBuffer(0);
        decoder.Decode(file[(int)h.DataOffset..], buffer);
        decoder.Finish();
        return new RawReadResult(h, new EventArray(buffer.X, buffer.Y, buffer.P, buffer.T, h.Width, h.Height, buffer.Count), decoder.Stats);
    }

    /// <summary>Writes events atomically as an EVT 2.0 .raw file.</summary>
    public static void WriteEvt2(string path, EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        AtomicFile.Write(path, s =>
        {
            using var writer = new Evt2Writer(s, events.Width, events.Height, leaveOpen: true);
            writer.Write(events);
        });
    }
}
