namespace EventSsm.Events;

/// <summary>
/// A snapshot of a <see cref="RawDecoder"/> between two whole words: enough to resume decoding at
/// <see cref="Position"/> and get exactly the events a decoder fed from the file start would. The time fields hold the
/// reconstructed 64-bit time base (time-high value and wrap count), so a resumed decoder continues across wraps.
/// EVT 2.x decoders use only the time fields; EVT 3.0 also carries time-low, row, vector base x and polarity.
/// </summary>
internal readonly record struct RawDecoderState(
    long Position,
    uint TimeHigh,
    long TimeLoops,
    bool HasTimeBase,
    uint TimeLow = 0,
    int Y = 0,
    int Row = 0,
    int BaseX = 0,
    byte BasePolarity = 0,
    bool HasBaseX = false);
