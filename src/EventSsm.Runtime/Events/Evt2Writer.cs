using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace EventSsm.Events;

/// <summary>
/// Writes CD events as an EVT 2.0 .raw stream (see <see cref="Evt2Decoder"/> for the word layout): a '% format'
/// header ended by '% end', then an EVT_TIME_HIGH word whenever bits 33–6 of the timestamp change, then one CD word
/// per event. Timestamps past 2^34 µs wrap like the sensor's counter; consecutive events may not go back by half the
/// counter range (2^33 µs) or more, which a reader would take for a wrap.
/// </summary>
public sealed class Evt2Writer : IDisposable
{
    private const long HalfRange = 1L << 33;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _used;
    private bool _hasHigh;
    private uint _high;
    private long _lastT;
    private bool _hasTime;
    private long _count;

    /// <summary>
    /// Writes the header (with <paramref name="extraFields"/> as additional '% key value' lines) for a <paramref
    /// name="width"/>×<paramref name="height"/> sensor.
    /// </summary>
    public Evt2Writer(Stream stream, int width, int height, bool leaveOpen = false, IEnumerable<KeyValuePair<string, string>>? extraFields = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, RawFileHeader.MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, RawFileHeader.MaxDimension);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Width = width;
        Height = height;
        var header = new StringBuilder();
        foreach (KeyValuePair<string, string> kv in extraFields ?? [])
        {
            if (kv.Key is "format" or "evt" or "geometry" or "end" || kv.Key.Contains(' ') || kv.Key.Contains('\n') || kv.Value.Contains('\n'))
            {
                throw new ArgumentException($"header field '{kv.Key}' cannot be written");
            }
            header.Append(CultureInfo.InvariantCulture, $"% {kv.Key} {kv.Value}\n");
        }
        header.Append("% evt 2.0\n");
        header.Append(CultureInfo.InvariantCulture, $"% format EVT2;height={height};width={width}\n");
        header.Append(CultureInfo.InvariantCulture, $"% geometry {width}x{height}\n");
        header.Append("% end\n");
        _stream.Write(Encoding.Latin1.GetBytes(header.ToString()));
    }

    /// <summary>Sensor width in pixels.</summary>
    public int Width { get; }

    /// <summary>Sensor height in pixels.</summary>
    public int Height { get; }

    /// <summary>Events written so far.</summary>
    public long Count => _count;

    /// <summary>Writes every event of <paramref name="events"/>.</summary>
    public void Write(EventArray events) => Write(events, 0, events.Count);

    /// <summary>Writes events [start, start + length) of <paramref name="events"/>.</summary>
    public void Write(EventArray events, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, events.Count);
        for (int i = start; i < start + length; i++)
        {
            Write(events.X[i], events.Y[i], events.P[i], events.T[i]);
        }
    }

    /// <summary>Writes one CD event (polarity 0 or 1, time in µs), preceded by a time-high word when needed.</summary>
    public void Write(int x, int y, int p, long t)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentException($"event {_count}: ({x}, {y}) is outside the {Width}×{Height} sensor");
        }
        CheckTime(t, $"event {_count}");
        WriteTimeHigh(t);
        uint type = (uint)(p & 1);
        Put((type << 28) | ((uint)(t & 0x3F) << 22) | ((uint)x << 11) | (uint)y);
        _lastT = t;
        _hasTime = true;
        _count++;
    }

    private void CheckTime(long t, string what)
    {
        if (t < 0)
        {
            throw new ArgumentException($"{what}: negative timestamp {t}");
        }
        if (_hasTime && Math.Abs(t - _lastT) >= HalfRange)
        {
            // Half the 2^34 µs counter range or more between two words would be read back as a wrap (or a step back).
            throw new ArgumentException($"{what}: timestamp {t} is {t - _lastT} µs from the previous one, more than EVT 2.0 can encode unambiguously");
        }
    }

    private void WriteTimeHigh(long t)
    {
        uint high = (uint)((t >> 6) & 0x0FFF_FFFF);
        if (!_hasHigh || high != _high)
        {
            Put(0x8000_0000u | high);
            _high = high;
            _hasHigh = true;
        }
    }

    /// <summary>
    /// An EXT_TRIGGER word (docs/FORMATS.md §3): time-low bits 27–22, channel bits 12–8 (0–31),
    /// value bit 0. The same time rules as for CD events apply.
    /// </summary>
    public void WriteTrigger(ExternalTrigger trigger)
    {
        if (trigger.Id is < 0 or > 31 || trigger.Polarity > 1)
        {
            throw new ArgumentException($"trigger at {trigger.T} µs: channel {trigger.Id} and value {trigger.Polarity} do not fit EVT 2.0 (channels 0–31, value 0/1)");
        }
        CheckTime(trigger.T, "trigger");
        WriteTimeHigh(trigger.T);
        Put(0xA000_0000u | ((uint)(trigger.T & 0x3F) << 22) | ((uint)trigger.Id << 8) | trigger.Polarity);
        _lastT = trigger.T;
        _hasTime = true;
        Triggers++;
    }

    /// <summary>External triggers written so far.</summary>
    public long Triggers { get; private set; }

    /// <summary>Writes the buffered words to the stream and flushes it.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
        _stream.Flush();
    }

    /// <summary>Flushes and closes the stream unless it was left open.</summary>
    public void Dispose()
    {
        Flush();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private void Put(uint word)
    {
        if (_used == _buffer.Length)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_used), word);
        _used += 4;
    }
}
