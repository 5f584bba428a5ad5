using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>The text header of a Prophesee .dat file and where its events start.</summary>
public sealed record DatHeader(int Width, int Height, byte EventType, byte EventSize, long DataOffset, IReadOnlyList<string> Lines);

/// <summary>
/// Prophesee Event2D .dat files (docs/DATA.md §1.1): '% ' header lines, then ev_type and ev_size bytes, then
/// 8-byte events (u32 t µs; u32 with x bits 0–13, y bits 14–27, p bit 28).
/// </summary>
public static class DatFile
{
    /// <summary>Bytes per event record (u32 time, u32 packed x, y, polarity).</summary>
    public const int EventSize = 8;

    /// <summary>Reads the text header and the event type/size bytes of a .dat file.</summary>
    public static DatHeader ReadHeader(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(fs, path);
    }

    /// <summary>
    /// Reads the header from the current position of <paramref name="s"/>; <paramref name="name"/> names the file in
    /// errors.
    /// </summary>
    public static DatHeader ReadHeader(Stream s, string? name)
    {
        var lines = new List<string>();
        int width = -1;
        int height = -1;
        long pos = s.Position;
        long start = pos;
        while (true)
        {
            int b0 = s.ReadByte();
            if (b0 < 0)
            {
                break;
            }
            if (b0 != '%')
            {
                s.Position = pos;
                break;
            }
            var sb = new StringBuilder();
            int c;
            while ((c = s.ReadByte()) >= 0 && c != '\n')
            {
                if (sb.Length > 4096)
                {
                    throw new DataFormatException(name, $"header line at byte {pos} is longer than 4096 bytes");
                }
                sb.Append((char)c); // latin-1
            }
            string line = sb.ToString().Trim();
            lines.Add(line);
            string[] kv = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (kv.Length == 2 && kv[0].Equals("Width", StringComparison.OrdinalIgnoreCase))
            {
                width = ParseDim(kv[1], "Width", name);
            }
            else if (kv.Length == 2 && kv[0].Equals("Height", StringComparison.OrdinalIgnoreCase))
            {
                height = ParseDim(kv[1], "Height", name);
            }
            else if (kv.Length == 2 && kv[0].Equals("geometry", StringComparison.OrdinalIgnoreCase))
            {
                // Metavision-era headers write '% geometry 1280x720' instead of Width/Height lines.
                string[] wh = kv[1].Split('x');
                if (wh.Length != 2)
                {
                    throw new DataFormatException(name, $"header line '% {line}' is not a valid geometry (expected WxH)");
                }
                width = ParseDim(wh[0], "geometry width", name);
                height = ParseDim(wh[1], "geometry height", name);
            }
            pos = s.Position;
        }
        byte evType = 0;
        byte evSize = EventSize;
        if (lines.Count > 0)
        {
            Span<byte> two = stackalloc byte[2];
            int got = s.Read(two);
            if (got == 1)
            {
                got += s.Read(two[1..]);
            }
            if (got != 2)
            {
                throw new DataFormatException(name, $"truncated: the header ends at byte {pos} before the ev_type/ev_size bytes");
            }
            evType = two[0];
            evSize = two[1];
            if (evSize != EventSize)
            {
                throw new UnsupportedDataException(name, $"event size {evSize} at byte {pos + 1} is not supported (Event2D uses 8 bytes)");
            }
        }
        else if (s.Length - start == 0)
        {
            throw new DataFormatException(name, "empty file: no .dat header and no events");
        }
        if (width < 0 || height < 0)
        {
            // Files without geometry lines are Gen1 recordings (304×240), as in Prophesee's loader.
            width = width < 0 ? 304 : width;
            height = height < 0 ? 240 : height;
        }
        return new DatHeader(width, height, evType, evSize, s.Position, lines);
    }

    private static int ParseDim(string v, string key, string? name)
    {
        // x and y are 14-bit fields, so no valid sensor exceeds 16384 pixels per side.
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int d) || d <= 0 || d > 16384)
        {
            throw new DataFormatException(name, $"header line '% {key} {v}' is not a valid size (1..16384)");
        }
        return d;
    }

    /// <summary>Number of events after <paramref name="header"/> in a file of <paramref name="fileLength"/> bytes.</summary>
    internal static long EventCount(DatHeader header, long fileLength, string? name)
    {
        long bytes = fileLength - header.DataOffset;
        if (bytes % EventSize != 0)
        {
            throw new DataFormatException(name, $"truncated: {bytes} data bytes is not a multiple of {EventSize} (partial event at byte {header.DataOffset + bytes / EventSize * EventSize})");
        }
        return bytes / EventSize;
    }

    /// <summary>
    /// Reads every event. A complete header followed by no events is a valid empty recording; a header cut before its
    /// ev_type/ev_size bytes, a partial last event, coordinates outside the header's sensor and decreasing timestamps
    /// raise <see cref="DataFormatException"/> naming the byte offset. For multi-GB files use <see cref="DatStreamReader"/>.
    /// </summary>
    public static EventArray ReadAll(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        DatHeader h = ReadHeader(fs, path);
        long n = EventCount(h, fs.Length, path);
        if (n > Array.MaxLength)
        {
            throw new UnsupportedDataException(path, $"{n} events do not fit one array; stream the file by time window");
        }
        EventArray ev = EventArray.Allocate((int)n, h.Width, h.Height);
        var buf = new byte[EventSize * 65536];
        long lastTime = long.MinValue;
        int at = 0;
        while (at < n)
        {
            int k = (int)Math.Min(65536, n - at);
            fs.ReadExactly(buf, 0, k * EventSize);
            DatDecoder.Decode(buf.AsSpan(0, k * EventSize), ev.X.AsSpan(at), ev.Y.AsSpan(at), ev.P.AsSpan(at),
                ev.T.AsSpan(at), h.Width, h.Height, ref lastTime, path, h.DataOffset + (long)at * EventSize);
            at += k;
        }
        return ev;
    }

    /// <summary>Writes events atomically with the standard Event2D header.</summary>
    public static void Write(string path, EventArray events, string? date = null)
    {
        AtomicFile.Write(path, s => Write(s, events, date));
    }

    /// <summary>Writes the header and events; throws <see cref="ArgumentException"/> for events the format cannot hold or read back.</summary>
    public static void Write(Stream s, EventArray events, string? date = null)
    {
        WriteHeader(s, events.Width, events.Height, date);
        WriteEvents(s, events, 0, events.Count);
    }

    /// <summary>The header alone, for streaming writers that append events with <see cref="WriteEvents"/>.</summary>
    public static void WriteHeader(Stream s, int width, int height, string? date = null)
    {
        if (width > 16384 || height > 16384)
        {
            throw new ArgumentException($"sensor {width}×{height} exceeds the .dat format's 14-bit coordinates");
        }
        string header =
            "% Data file containing Event2D events.\n% Version 2\n" +
            $"% Date {date ?? "1970-01-01 00:00:00"}\n% Height {height}\n% Width {width}\n";
        s.Write(Encoding.Latin1.GetBytes(header));
        s.WriteByte(0);
        s.WriteByte(EventSize);
    }

    /// <summary>Appends events [start, start+length) after a header written by <see cref="WriteHeader"/>.</summary>
    public static void WriteEvents(Stream s, EventArray events, int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, events.Count);
        var buf = new byte[EventSize * 65536];
        for (int at = start; at < start + length; at += 65536)
        {
            int k = Math.Min(65536, start + length - at);
            for (int i = 0; i < k; i++)
            {
                int j = at + i;
                long t = events.T[j];
                if (t < 0 || t > uint.MaxValue)
                {
                    throw new ArgumentException($"event {j}: timestamp {t} does not fit the .dat format's 32-bit field");
                }
                if (j > 0 && t < events.T[j - 1])
                {
                    throw new ArgumentException($"event {j}: timestamp {t} is earlier than the previous event's {events.T[j - 1]}");
                }
                if (events.X[j] >= events.Width || events.Y[j] >= events.Height || events.P[j] > 1)
                {
                    throw new ArgumentException($"event {j}: (x={events.X[j]}, y={events.Y[j]}, p={events.P[j]}) is outside the {events.Width}×{events.Height} sensor or not a 0/1 polarity");
                }
                uint d = events.X[j] | ((uint)events.Y[j] << 14) | ((uint)events.P[j] << 28);
                BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(i * 8), (uint)t);
                BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(i * 8 + 4), d);
            }
            s.Write(buf, 0, k * EventSize);
        }
    }
}
