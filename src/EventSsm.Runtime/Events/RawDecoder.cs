using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// A .raw event decoder: a state machine fed arbitrary byte chunks. Words split across chunks are carried over, so
/// decoding a stream in pieces gives exactly the events of decoding it whole. CD events are appended to an
/// <see cref="GrowableEventBuffer"/>; other word types are counted in <see cref="Stats"/>. Timestamps are absolute µs
/// (no shift to the first time-high, unlike Metavision's default time shifting).
/// </summary>
public abstract class RawDecoder
{
    private readonly byte[] _carry;
    private int _carryLength;

    /// <summary>
    /// Sets up a decoder of <paramref name="wordSize"/>-byte words for a <paramref name="width"/>×<paramref
    /// name="height"/> sensor, fed from file offset <paramref name="dataOffset"/>.
    /// </summary>
    protected RawDecoder(int wordSize, int maxEventsPerWord, int width, int height, string? name, long dataOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        WordSize = wordSize;
        MaxEventsPerWord = maxEventsPerWord;
        Width = width;
        Height = height;
        Name = name;
        Position = dataOffset;
        _carry = new byte[wordSize];
    }

    /// <summary>Bytes per event word (2 for EVT 3.0, 4 for EVT 2.0, 8 for EVT 2.1).</summary>
    public int WordSize { get; }

    /// <summary>Most CD events one word can produce (bounds the output growth per input byte).</summary>
    public int MaxEventsPerWord { get; }

    /// <summary>Sensor width in pixels; events outside it are an error.</summary>
    public int Width { get; }

    /// <summary>Sensor height in pixels; events outside it are an error.</summary>
    public int Height { get; }

    /// <summary>File name for error messages.</summary>
    public string? Name { get; }

    /// <summary>File offset of the next byte to be fed.</summary>
    public long Position { get; private set; }

    /// <summary>Counts of the word types decoded so far.</summary>
    public RawDecodeStats Stats { get; } = new();

    /// <summary>
    /// When set, EXT_TRIGGER words that have a time base are decoded into this list as well as counted
    /// (docs/FORMATS.md §3); the caller drains it. Null (the default) only counts them.
    /// </summary>
    public List<ExternalTrigger>? Triggers { get; set; }

    /// <summary>The decoder for the header's format.</summary>
    public static RawDecoder Create(RawFileHeader header, string? name) => header.Format switch
    {
        RawEventFormat.Evt2 => new Evt2Decoder(header.Width, header.Height, name, header.DataOffset),
        RawEventFormat.Evt21 => new Evt21Decoder(header.Width, header.Height, legacy: false, name, header.DataOffset),
        RawEventFormat.Evt21Legacy => new Evt21Decoder(header.Width, header.Height, legacy: true, name, header.DataOffset),
        RawEventFormat.Evt3 => new Evt3Decoder(header.Width, header.Height, name, header.DataOffset),
        _ => throw new UnsupportedDataException(name, $"format {header.Format} has no decoder"),
    };

    /// <summary>Decodes every whole word in <paramref name="chunk"/> (after any bytes carried over from the last call).</summary>
    public void Decode(ReadOnlySpan<byte> chunk, GrowableEventBuffer output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_carryLength > 0)
        {
            int take = Math.Min(WordSize - _carryLength, chunk.Length);
            chunk[..take].CopyTo(_carry.AsSpan(_carryLength));
            _carryLength += take;
            chunk = chunk[take..];
            if (_carryLength < WordSize)
            {
                return;
            }
            long wordAt = Position;
            output.EnsureSpace(MaxEventsPerWord);
            DecodeWords(_carry, output, wordAt);
            Position += WordSize;
            _carryLength = 0;
        }
        int whole = chunk.Length / WordSize * WordSize;
        if (whole > 0)
        {
            output.EnsureSpace(checked(whole / WordSize * MaxEventsPerWord));
            DecodeWords(chunk[..whole], output, Position);
            Position += whole;
        }
        int rest = chunk.Length - whole;
        if (rest > 0)
        {
            chunk[whole..].CopyTo(_carry);
            _carryLength = rest;
        }
    }

    /// <summary>The state between two whole words, to resume decoding there later (<see cref="RestoreState"/>).</summary>
    internal RawDecoderState SaveState()
    {
        if (_carryLength > 0)
        {
            throw new InvalidOperationException($"the decoder is inside a word at byte {Position}; save its state between whole words");
        }
        return GetState();
    }

    /// <summary>Puts a fresh decoder of the same format in a saved state; the next byte fed is the one at its position.</summary>
    internal void RestoreState(RawDecoderState state)
    {
        _carryLength = 0;
        Position = state.Position;
        SetState(state);
    }

    /// <summary>The format's decoding state at <see cref="Position"/>.</summary>
    private protected abstract RawDecoderState GetState();

    private protected abstract void SetState(RawDecoderState state);

    /// <summary>Ends the stream: bytes left over that do not form a whole word mean the file is truncated.</summary>
    public void Finish()
    {
        if (_carryLength > 0)
        {
            throw new DataFormatException(Name, $"truncated: {_carryLength} byte(s) at byte {Position} do not form a whole {WordSize}-byte event word");
        }
    }

    /// <summary>
    /// Decodes whole words; <paramref name="output"/> has room for <see cref="MaxEventsPerWord"/> events per word.
    /// <paramref name="offset"/> is the file offset of <paramref name="words"/>[0], for error messages.
    /// </summary>
    protected abstract void DecodeWords(ReadOnlySpan<byte> words, GrowableEventBuffer output, long offset);

    /// <summary>The error for an event word at <paramref name="offset"/> whose address lies outside the sensor.</summary>
    protected DataFormatException OutOfSensor(long offset, int x, int y) =>
        new(Name, $"event word at byte {offset} has coordinates ({x}, {y}) outside the {Width}×{Height} sensor");
}
