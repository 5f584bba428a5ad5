using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// Events as text, one per line (docs/FORMATS.md §8): .csv or .txt, columns t (µs), x, y, p
/// separated by commas, semicolons, tabs or spaces. A first line with letters is a header naming the columns (t, ts,
/// timestamp; x; y; p, pol, polarity; in any order); without one the order is t, x, y, p. Lines starting with '#' or
/// '%' are comments; one may give the sensor size ("width=640 height=480" or "geometry 640x480"). Polarity −1 reads
/// as 0. Times must not decrease.
/// </summary>
public static partial class CsvEventFormat
{
    /// <summary>The first line <see cref="CsvEventWriter"/> writes; it carries the sensor size.</summary>
    public static string SizeComment(int width, int height) =>
        string.Create(CultureInfo.InvariantCulture, $"# EventSsm events, t in microseconds: width={width} height={height}");

    /// <summary>The column header line <see cref="CsvEventWriter"/> writes after the size comment.</summary>
    public const string HeaderLine = "t,x,y,p";

    /// <summary>How a file's lines are laid out: separator and column of each field.</summary>
    internal readonly record struct Layout(byte Separator, int T, int X, int Y, int P, int Columns);

    [GeneratedRegex(@"width\s*[=:]?\s*(\d+)[\s,;]+height\s*[=:]?\s*(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex WidthHeightPattern();

    [GeneratedRegex(@"geometry\s*[=:]?\s*(\d+)\s*x\s*(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex GeometryPattern();

    /// <summary>The sensor size a comment line states, or null.</summary>
    internal static SensorSize? SizeFromComment(string comment)
    {
        Match m = WidthHeightPattern().Match(comment);
        if (!m.Success)
        {
            m = GeometryPattern().Match(comment);
        }
        if (m.Success && int.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(m.Groups[2].Value, CultureInfo.InvariantCulture, out int h) && w is > 0 and <= 65536 && h is > 0 and <= 65536)
        {
            return new SensorSize(w, h);
        }
        return null;
    }

    internal static bool IsComment(ReadOnlySpan<byte> line) => line.Length > 0 && (line[0] == (byte)'#' || line[0] == (byte)'%');

    /// <summary>The layout from the first non-comment line; <paramref name="isHeader"/> when that line names columns.</summary>
    internal static Layout DetectLayout(ReadOnlySpan<byte> line, string? name, long lineNumber, out bool isHeader)
    {
        byte sep = line.Contains((byte)',') ? (byte)',' : line.Contains((byte)';') ? (byte)';' : line.Contains((byte)'\t') ? (byte)'\t' : (byte)' ';
        isHeader = false;
        foreach (byte b in line)
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z')
            {
                isHeader = true;
                break;
            }
        }
        if (!isHeader)
        {
            return new Layout(sep, 0, 1, 2, 3, 4);
        }
        string text = Encoding.UTF8.GetString(line);
        string[] columns = Split(text, (char)sep);
        if (columns.Length > 16)
        {
            throw new DataFormatException(name, $"line {lineNumber}: the header has {columns.Length} columns; at most 16 are read");
        }
        int Find(params string[] names)
        {
            int at = Array.FindIndex(columns, c => names.Contains(c.Trim().Trim('"').ToLowerInvariant()));
            if (at < 0)
            {
                throw new DataFormatException(name, $"line {lineNumber}: the header '{text}' has no column {names[0]} (accepted: {string.Join(", ", names)})");
            }
            return at;
        }
        return new Layout(sep, Find("t", "ts", "timestamp", "time", "t_us"), Find("x"), Find("y"), Find("p", "pol", "polarity"), columns.Length);
    }

    private static string[] Split(string line, char sep) =>
        sep == ' ' ? line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : line.Split(sep);

    /// <summary>Parses one data line; false with a reason when it is not four integers in range.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> line, Layout layout, out long t, out int x, out int y, out int p, out string? error)
    {
        t = 0;
        x = y = p = 0;
        error = null;
        Span<long> values = stackalloc long[Math.Min(layout.Columns, 16)];
        int column = 0;
        int pos = 0;
        while (pos <= line.Length && column < layout.Columns)
        {
            if (layout.Separator == (byte)' ')
            {
                while (pos < line.Length && line[pos] is (byte)' ' or (byte)'\t')
                {
                    pos++;
                }
            }
            int end = line[pos..].IndexOfAny(layout.Separator, layout.Separator == (byte)' ' ? (byte)'\t' : layout.Separator);
            end = end < 0 ? line.Length : pos + end;
            ReadOnlySpan<byte> field = line[pos..end].Trim(" \t\""u8);
            if (column < values.Length && (column == layout.T || column == layout.X || column == layout.Y || column == layout.P))
            {
                if (!Utf8Parser.TryParse(field, out long v, out int used) || used != field.Length)
                {
                    error = $"column {column + 1} '{Encoding.UTF8.GetString(field)}' is not an integer"
                        + (column == layout.T ? " (t must be integer microseconds)" : "");
                    return false;
                }
                values[column] = v;
            }
            column++;
            pos = end + 1;
        }
        if (column < layout.Columns)
        {
            error = $"{column} column(s), expected {layout.Columns}";
            return false;
        }
        t = values[layout.T];
        long px = values[layout.X];
        long py = values[layout.Y];
        long pp = values[layout.P];
        if (px is < 0 or > ushort.MaxValue || py is < 0 or > ushort.MaxValue)
        {
            error = $"({px}, {py}) is not a pixel";
            return false;
        }
        if (pp is < -1 or > 1)
        {
            error = $"polarity {pp} is not −1, 0 or 1";
            return false;
        }
        x = (int)px;
        y = (int)py;
        p = pp > 0 ? 1 : 0;
        return true;
    }
}

/// <summary>Writes events as <see cref="CsvEventFormat"/> text: a size comment, the header "t,x,y,p", one line per event.</summary>
public sealed class CsvEventWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;

    /// <summary>
    /// Starts a file on <paramref name="stream"/> with the size comment and the header; <paramref name="leaveOpen"/>
    /// keeps the stream open after disposal.
    /// </summary>
    public CsvEventWriter(Stream stream, int width, int height, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _stream.Write(Encoding.ASCII.GetBytes(CsvEventFormat.SizeComment(width, height) + "\n" + CsvEventFormat.HeaderLine + "\n"));
    }

    /// <summary>Events written so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends one line per event (t, x, y, p).</summary>
    public void Write(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (int i = 0; i < events.Count; i++)
        {
            if (_buffer.Length - _used < 64)
            {
                _stream.Write(_buffer, 0, _used);
                _used = 0;
            }
            Span<byte> dst = _buffer.AsSpan(_used);
            int n = 0;
            Utf8Formatter.TryFormat(events.T[i], dst, out int w);
            n += w;
            dst[n++] = (byte)',';
            Utf8Formatter.TryFormat(events.X[i], dst[n..], out w);
            n += w;
            dst[n++] = (byte)',';
            Utf8Formatter.TryFormat(events.Y[i], dst[n..], out w);
            n += w;
            dst[n++] = (byte)',';
            dst[n++] = (byte)('0' + events.P[i]);
            dst[n++] = (byte)'\n';
            _used += n;
        }
        Count += events.Count;
    }

    /// <summary>Flushes the buffered lines and closes the stream unless it was left open.</summary>
    public void Dispose()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
        _stream.Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
