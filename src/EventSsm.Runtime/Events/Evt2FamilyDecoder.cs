using System.Runtime.CompilerServices;

namespace EventSsm.Events;

/// <summary>
/// What EVT 2.0 and EVT 2.1 share: 4-bit word types in bits 31–28 with CD in 0x0/0x1 and EVT_TIME_HIGH 0x8, whose
/// bits 27–0 are bits 33–6 of the µs timestamp; the decoding state is that time-high counter alone.
/// </summary>
public abstract class Evt2FamilyDecoder : RawDecoder
{
    private const int HighBits = 28;
    private const int LowBits = 6;

    private TimeHighCounter _time = new(HighBits, LowBits);

    private protected Evt2FamilyDecoder(int wordSize, int maxEventsPerWord, int width, int height, string? name, long dataOffset)
        : base(wordSize, maxEventsPerWord, width, height, name, dataOffset)
    {
    }

    /// <summary>Time (µs) of the current time-high with time-low 0.</summary>
    private protected long TimeBase => _time.Base;

    /// <summary>Whether an EVT_TIME_HIGH has been seen; CD events before it have no time.</summary>
    private protected bool HasTimeBase => _time.HasBase;

    private protected override RawDecoderState GetState() => new(Position, _time.High, _time.Loops, _time.HasBase);

    private protected override void SetState(RawDecoderState state) =>
        _time = TimeHighCounter.Restore(HighBits, LowBits, state.TimeHigh, state.TimeLoops, state.HasTimeBase);

    /// <summary>
    /// A word of type <paramref name="type"/> (not CD, header <paramref name="header"/>): EVT_TIME_HIGH moves the time
    /// base (read it again from <see cref="TimeBase"/>); EXT_TRIGGER (time-low bits 27–22, channel bits 12–8, value
    /// bit 0) is collected when <see cref="RawDecoder.Triggers"/> is set; every other type is counted and skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected void NonCdWord(uint type, uint header, RawDecodeStats stats)
    {
        if (type == 0x8)
        {
            _time.Update(header & 0x0FFF_FFFF, stats);
            return;
        }
        stats.CountSkippedWord(type);
        if (type == 0xA && Triggers is { } triggers && _time.HasBase)
        {
            triggers.Add(new ExternalTrigger(_time.Base + ((header >> 22) & 0x3F), (byte)(header & 1), (int)((header >> 8) & 0x1F)));
        }
    }
}
