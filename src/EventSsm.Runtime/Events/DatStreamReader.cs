using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// Streams a Prophesee .dat file (docs/DATA.md §1.1) without loading it: the 8-byte records are fixed-size and
/// time-sorted, so seeking to a time is a binary search that reads only the 4-byte timestamps it probes, and a window
/// is one positional read. All reads are positional (<see cref="RandomAccess"/>), so one reader serves parallel
/// window builders as long as each uses its own <see cref="EventBuffer"/>.
/// </summary>
public sealed class DatStreamReader : IEventReader
{
    private const int ReadBlockEvents = 1 << 16;

    private readonly SafeFileHandle _handle;

    /// <summary>Opens a .dat file for random access by time; the events stay on disk.</summary>
    public DatStreamReader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Name = path;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096))
        {
            Header = DatFile.ReadHeader(fs, path);
            Count = DatFile.EventCount(Header, fs.Length, path);
        }
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
    }

    /// <inheritdoc />
    public string? Name { get; }

    /// <summary>The file's header (sensor size, event type, where the events start).</summary>
    public DatHeader Header { get; }

    /// <inheritdoc />
    public int Width => Header.Width;

    /// <inheritdoc />
    public int Height => Header.Height;

    /// <inheritdoc />
    public long Count { get; }

    /// <inheritdoc />
    public long TimeAt(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        Span<byte> b = stackalloc byte[4];
        long offset = Header.DataOffset + index * DatDecoder.EventSize;
        ReadExactlyAt(b, offset);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    /// <inheritdoc />
    public long LowerBound(long timeUs) => EventSearch.Bound(Count, timeUs, right: false, TimeAt);

    /// <inheritdoc />
    public long UpperBound(long timeUs) => EventSearch.Bound(Count, timeUs, right: true, TimeAt);

    /// <inheritdoc />
    public EventArray Read(long start, int count, EventBuffer destination)
    {
        EventBuffer.PrepareRead(this, start, count, destination);
        int block = Math.Min(count, ReadBlockEvents);
        byte[] raw = destination.Scratch(block * DatDecoder.EventSize);
        long lastTime = long.MinValue;
        for (int at = 0; at < count; at += block)
        {
            int k = Math.Min(block, count - at);
            long offset = Header.DataOffset + (start + at) * DatDecoder.EventSize;
            Span<byte> bytes = raw.AsSpan(0, k * DatDecoder.EventSize);
            ReadExactlyAt(bytes, offset);
            DatDecoder.Decode(bytes, destination.X.AsSpan(at), destination.Y.AsSpan(at), destination.P.AsSpan(at),
                destination.T.AsSpan(at), Width, Height, ref lastTime, Name, offset);
        }
        return destination.View(count);
    }

    private void ReadExactlyAt(Span<byte> dst, long offset)
    {
        int done = 0;
        while (done < dst.Length)
        {
            int n = RandomAccess.Read(_handle, dst[done..], offset + done);
            if (n == 0)
            {
                throw new DataFormatException(Name, $"truncated: the file ended at byte {offset + done} while reading events (was it changed while open?)");
            }
            done += n;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
