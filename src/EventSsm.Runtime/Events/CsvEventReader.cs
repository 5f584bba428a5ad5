using System.Text;
using EventSsm.IO;
using Microsoft.Win32.SafeHandles;

namespace EventSsm.Events;

/// <summary>
/// Random access to a <see cref="CsvEventFormat"/> text file with bounded memory: opening parses the file once,
/// checking every line and keeping the byte offset and first time of every <see cref="BlockEvents"/>-th event
/// (24 bytes per block); a read or search then parses from the nearest block start. Parsed blocks are cached one at a
/// time under a lock, so one reader serves parallel window builders.
/// </summary>
public sealed class CsvEventReader : IEventReader
{
    /// <summary>Events per indexed block: a search or read parses at most one block before the events it wants.</summary>
    public const int BlockEvents = 1 << 14;
    private const int ReadBytes = 1 << 20;

    private readonly SafeFileHandle _handle;
    private readonly CsvEventFormat.Layout _layout;
    private readonly List<Block> _blocks;
    private readonly long[] _blockFirstTime;
    private readonly Lock _gate = new();
    private int _cachedBlock = -1;
    private EventArray? _cached;

    private CsvEventReader(string path, SafeFileHandle handle, CsvEventFormat.Layout layout, List<Block> blocks, long count,
        SensorSize size, string sizeSource)
    {
        Name = path;
        _handle = handle;
        _layout = layout;
        _blocks = blocks;
        _blockFirstTime = blocks.Select(b => b.FirstTime).ToArray();
        Count = count;
        Width = size.Width;
        Height = size.Height;
        SizeSource = sizeSource;
    }

    /// <inheritdoc />
    public string? Name { get; }

    /// <inheritdoc />
    public int Width { get; }

    /// <inheritdoc />
    public int Height { get; }

    /// <inheritdoc />
    public long Count { get; }

    /// <summary>"comment" (the file states it), "given" (the caller's size) or "inferred" (largest x and y + 1).</summary>
    public string SizeSource { get; }

    /// <summary>The byte offset, line number and first time of one block of events.</summary>
    private readonly record struct Block(long Offset, long Line, long FirstTime);

    /// <summary>Opens and indexes <paramref name="path"/>; <paramref name="defaultSize"/> applies when no comment states the size.</summary>
    public static CsvEventReader Open(string path, SensorSize? defaultSize = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        try
        {
            CsvEventFormat.Layout? layout = null;
            SensorSize? stated = null;
            var blocks = new List<Block>();
            long count = 0;
            long lastT = long.MinValue;
            int maxX = -1;
            int maxY = -1;
            ForEachLine(handle, 0, 1, path, (line, offset, number) =>
            {
                if (CsvEventFormat.IsComment(line))
                {
                    stated ??= CsvEventFormat.SizeFromComment(Encoding.UTF8.GetString(line));
                    return true;
                }
                if (layout is null)
                {
                    layout = CsvEventFormat.DetectLayout(line, path, number, out bool isHeader);
                    if (isHeader)
                    {
                        return true;
                    }
                }
                if (!CsvEventFormat.TryParse(line, layout.Value, out long t, out int x, out int y, out _, out string? error))
                {
                    throw new DataFormatException(path, $"line {number}: {error}");
                }
                if (t < lastT)
                {
                    throw new DataFormatException(path, $"line {number}: t {t} is earlier than the previous event's {lastT} (events must be sorted by time)");
                }
                if (count % BlockEvents == 0)
                {
                    blocks.Add(new Block(offset, number, t));
                }
                lastT = t;
                maxX = Math.Max(maxX, x);
                maxY = Math.Max(maxY, y);
                count++;
                return true;
            });
            (SensorSize size, string source) = stated is { } s ? (s, "comment")
                : defaultSize is { } d ? (d, "given")
                : (new SensorSize(Math.Max(1, maxX + 1), Math.Max(1, maxY + 1)), "inferred");
            if (maxX >= size.Width || maxY >= size.Height)
            {
                throw new DataFormatException(path, $"an event at x {maxX} or y {maxY} lies outside the {size.Width}×{size.Height} sensor ({source})");
            }
            return new CsvEventReader(path, handle, layout ?? new CsvEventFormat.Layout((byte)',', 0, 1, 2, 3, 4), blocks, count, size, source);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public long TimeAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return ParsedBlock((int)(index / BlockEvents)).T[(int)(index % BlockEvents)];
    }

    /// <inheritdoc />
    public long LowerBound(long timeUs) => Bound(timeUs, right: false);

    /// <inheritdoc />
    public long UpperBound(long timeUs) => Bound(timeUs, right: true);

    private long Bound(long timeUs, bool right) => FixedSizeBlocks.Bound(_blockFirstTime, BlockEvents, timeUs, right, ParsedBlock);

    /// <inheritdoc />
    public EventArray Read(long start, int count, EventBuffer destination) =>
        FixedSizeBlocks.Read(this, start, count, BlockEvents, ParsedBlock, destination);

    private EventArray ParsedBlock(int k)
    {
        lock (_gate)
        {
            if (_cachedBlock == k)
            {
                return _cached!;
            }
            int n = (int)Math.Min(BlockEvents, Count - (long)k * BlockEvents);
            EventArray block = EventArray.Allocate(n, Width, Height);
            int i = 0;
            ForEachLine(_handle, _blocks[k].Offset, _blocks[k].Line, Name, (line, _, number) =>
            {
                if (CsvEventFormat.IsComment(line))
                {
                    return true;
                }
                if (!CsvEventFormat.TryParse(line, _layout, out long t, out int x, out int y, out int p, out string? error)
                    || x >= Width || y >= Height)
                {
                    throw new DataFormatException(Name, $"line {number}: {error ?? "outside the sensor"} (was the file changed while open?)");
                }
                block.X[i] = (ushort)x;
                block.Y[i] = (ushort)y;
                block.P[i] = (byte)p;
                block.T[i] = t;
                return ++i < n;
            });
            if (i < n)
            {
                throw new DataFormatException(Name, $"the file ended {n - i} event(s) early (was it changed while open?)");
            }
            _cached = block;
            _cachedBlock = k;
            return block;
        }
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with each non-blank line (without its end of line), the line's byte offset and
    /// number, from <paramref name="offset"/> until the file ends or it returns false.
    /// </summary>
    private static void ForEachLine(SafeFileHandle handle, long offset, long lineNumber, string? name,
        Func<ReadOnlySpan<byte>, long, long, bool> visit)
    {
        byte[] buffer = new byte[ReadBytes];
        int kept = 0;
        long bufferOffset = offset;
        while (true)
        {
            int got = RandomAccess.Read(handle, buffer.AsSpan(kept), bufferOffset + kept);
            int filled = kept + got;
            bool end = got == 0;
            int pos = 0;
            while (pos < filled)
            {
                int nl = buffer.AsSpan(pos, filled - pos).IndexOf((byte)'\n');
                if (nl < 0 && !end)
                {
                    break;
                }
                int len = nl < 0 ? filled - pos : nl;
                ReadOnlySpan<byte> line = buffer.AsSpan(pos, len).TrimEnd((byte)'\r').Trim((byte)' ');
                if (!line.IsEmpty && !visit(line, bufferOffset + pos, lineNumber))
                {
                    return;
                }
                lineNumber++;
                pos += len + (nl < 0 ? 0 : 1);
            }
            if (end)
            {
                return;
            }
            kept = filled - pos;
            if (kept == buffer.Length)
            {
                throw new DataFormatException(name, $"line {lineNumber} is longer than {ReadBytes} bytes");
            }
            buffer.AsSpan(pos, kept).CopyTo(buffer);
            bufferOffset += pos;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
