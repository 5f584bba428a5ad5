using System.Globalization;
using EventSsm.IO;

namespace EventSsm.Cli;

/// <summary>
/// What the progress display knows of one task: its latest report and the rate since its first one, from which the
/// text both renderers show ("500/1,000 steps, 2.10 steps/s, ETA 0:03:58").
/// </summary>
internal sealed class ProgressTaskState
{
    private readonly long _firstDone;
    private readonly TimeSpan _firstTime;

    public ProgressTaskState(ProgressReport first, TimeSpan now)
    {
        Latest = first;
        _firstDone = first.Done;
        _firstTime = now;
        LatestTime = now;
        LastLine = now;
    }

    public ProgressReport Latest { get; private set; }

    public TimeSpan LatestTime { get; private set; }

    /// <summary>When the plain renderer last wrote a line for this task (its start until it writes one).</summary>
    public TimeSpan LastLine { get; set; }

    /// <summary>The plain renderer wrote a line for this task.</summary>
    public bool Printed { get; set; }

    public void Update(ProgressReport report, TimeSpan now)
    {
        Latest = report;
        LatestTime = now;
    }

    /// <summary>Units per second since the first report (a resumed run's earlier steps do not count); null until measurable.</summary>
    public double? Rate
    {
        get
        {
            double seconds = (LatestTime - _firstTime).TotalSeconds;
            long done = Latest.Done - _firstDone;
            return seconds > 0 && done > 0 ? done / seconds : null;
        }
    }

    public TimeSpan? Eta => Rate is double rate && Latest.Total > 0
        ? TimeSpan.FromSeconds(Math.Max(0, Latest.Total - Latest.Done) / rate)
        : null;

    public TimeSpan Elapsed => LatestTime - _firstTime;

    /// <summary>Amount, rate and ETA, e.g. "500/1,000 steps, 2.10 steps/s, ETA 0:03:58".</summary>
    public string Detail()
    {
        ProgressReport r = Latest;
        bool bytes = r.Unit == ProgressReport.Bytes;
        string unit = bytes ? "MiB" : r.Unit;
        string amount = r.Total > 0 ? $"{Amount(r.Done, bytes)}/{Amount(r.Total, bytes)} {unit}" : $"{Amount(r.Done, bytes)} {unit}";
        string rate = Rate is double v ? Invariant($", {(bytes ? v / (1 << 20) : v):0.00} {unit}/s") : "";
        string eta = r.IsFinished ? $", in {ProgressReport.FormatDuration(Elapsed)}" : Eta is { } e ? $", ETA {ProgressReport.FormatDuration(e)}" : "";
        return amount + rate + eta;
    }

    /// <summary>One line of the plain renderer: "train: 50% (500/1,000 steps, 2.10 steps/s, ETA 0:03:58)".</summary>
    public string Line() => Latest.Total > 0
        ? Invariant($"{Latest.Task}: {Math.Floor(Latest.Fraction * 100):0}% ({Detail()})")
        : $"{Latest.Task}: {Detail()}";

    private static string Amount(long value, bool bytes) => bytes
        ? Invariant($"{value / (double)(1 << 20):0.0}")
        : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
