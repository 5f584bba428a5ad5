namespace EventSsm.Events;

/// <summary>
/// The time base of EVT formats: a time-high counter of <c>highBits</c> bits above <c>lowBits</c> bits of time-low.
/// A value that goes back by at least half the counter range is a wrap-around and adds one full period
/// (2^34 µs for EVT 2.x, 2^24 µs for EVT 3.0); a smaller step back is kept as encoded (a stream glitch, counted).
/// OpenEB's EVT 3.0 decoder uses the same half-range rule; its EVT 2.x decoders only accept wraps from near the top.
/// </summary>
internal struct TimeHighCounter
{
    private readonly int _highBits;
    private readonly int _lowBits;
    private uint _high;
    private long _loops;

    public TimeHighCounter(int highBits, int lowBits)
    {
        _highBits = highBits;
        _lowBits = lowBits;
    }

    public bool HasBase { get; private set; }

    /// <summary>The last time-high value taken.</summary>
    public readonly uint High => _high;

    /// <summary>Wrap-arounds seen so far.</summary>
    public readonly long Loops => _loops;

    /// <summary>A counter in a state saved from <see cref="High"/>, <see cref="Loops"/> and <see cref="HasBase"/>.</summary>
    public static TimeHighCounter Restore(int highBits, int lowBits, uint high, long loops, bool hasBase) =>
        new(highBits, lowBits) { _high = high, _loops = loops, HasBase = hasBase };

    /// <summary>The current time base in µs: loops, then the high bits, with the low bits zero.</summary>
    public readonly long Base => (_loops << (_highBits + _lowBits)) | ((long)_high << _lowBits);

    /// <summary>Takes a new time-high value; returns whether the base changed.</summary>
    public bool Update(uint high, RawDecodeStats stats)
    {
        stats.TimeHighWords++;
        if (!HasBase)
        {
            HasBase = true;
            _high = high;
            return true;
        }
        if (high == _high)
        {
            return false;
        }
        if (high < _high)
        {
            if (_high - high >= 1u << (_highBits - 1))
            {
                _loops++;
                stats.TimeHighWraps++;
            }
            else
            {
                stats.TimeHighBackwardSteps++;
            }
        }
        _high = high;
        return true;
    }
}
