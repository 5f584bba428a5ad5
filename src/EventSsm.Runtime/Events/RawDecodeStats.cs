namespace EventSsm.Events;

/// <summary>What a .raw decoder saw besides the CD events it returned.</summary>
public sealed class RawDecodeStats
{
    /// <summary>CD events returned.</summary>
    public long CdEvents { get; internal set; }

    /// <summary>EVT_TIME_HIGH words.</summary>
    public long TimeHighWords { get; internal set; }

    /// <summary>Times the time-high counter wrapped around (decreased by at least half its range).</summary>
    public long TimeHighWraps { get; internal set; }

    /// <summary>Time-high values that went back by less than half the range: kept as encoded, not taken as a wrap.</summary>
    public long TimeHighBackwardSteps { get; internal set; }

    /// <summary>EXT_TRIGGER words (skipped).</summary>
    public long ExtTriggerWords { get; internal set; }

    /// <summary>OTHERS words (monitoring, event-rate counters; skipped).</summary>
    public long OtherWords { get; internal set; }

    /// <summary>CONTINUED / CONTINUED_4 / CONTINUED_12 words (payload of a multi-word OTHERS or trigger event; skipped).</summary>
    public long ContinuedWords { get; internal set; }

    /// <summary>Words of a reserved or undocumented type (skipped).</summary>
    public long UnknownWords { get; internal set; }

    /// <summary>CD events encoded before the first EVT_TIME_HIGH, which have no time base (dropped, as OpenEB does).</summary>
    public long EventsBeforeTimeBase { get; internal set; }

    /// <summary>EVT 3.0 CD events with no row/base-x state yet, or in a row marked non-CD (dropped).</summary>
    public long EventsWithoutAddress { get; internal set; }

    /// <summary>All words that produced no CD event.</summary>
    public long SkippedNonCdWords => ExtTriggerWords + OtherWords + ContinuedWords + UnknownWords;

    /// <summary>
    /// Counts a skipped word by its 4-bit type, with the codes EVT 2.0, 2.1 and 3.0 share: 0xA EXT_TRIGGER, 0xE OTHERS,
    /// 0xF CONTINUED; any other type reaching here is reserved.
    /// </summary>
    internal void CountSkippedWord(uint type)
    {
        switch (type)
        {
            case 0xA:
                ExtTriggerWords++;
                break;
            case 0xE:
                OtherWords++;
                break;
            case 0xF:
                ContinuedWords++;
                break;
            default:
                UnknownWords++;
                break;
        }
    }

    /// <summary>The counters as one line of key=value pairs.</summary>
    public override string ToString() =>
        $"cd={CdEvents} time_high={TimeHighWords} wraps={TimeHighWraps} backward={TimeHighBackwardSteps} " +
        $"triggers={ExtTriggerWords} others={OtherWords} continued={ContinuedWords} unknown={UnknownWords} " +
        $"before_time_base={EventsBeforeTimeBase} without_address={EventsWithoutAddress}";
}
