namespace EventSsm.Datasets;

/// <summary>Where a sequence's time zero is for preprocessing (docs/DATA.md §8.5).</summary>
public enum TimeOrigin
{
    /// <summary>Times as stored in the files (the original: Gen1 and 1Mpx recordings start near 0).</summary>
    Stored,

    /// <summary>
    /// The recording's start: its declared offset (DSEC's <c>t_offset</c>) or else its first event. Events and labels are
    /// shifted together, so the first label frame, the windows before it and the evaluation's first half second count
    /// from the start of the recording rather than from an absolute clock.
    /// </summary>
    Recording,
}
