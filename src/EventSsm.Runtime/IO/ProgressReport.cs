using System.Globalization;

namespace EventSsm.IO;

/// <summary>
/// How far a long operation has got: <see cref="Done"/> of <see cref="Total"/> <see cref="Unit"/> of the task
/// <see cref="Task"/> (e.g. "train", 1200 of 3000 steps). The one progress record of the library: every long
/// operation reports it through <see cref="IProgress{T}"/>, and the command line renders it (a live bar on a terminal,
/// periodic lines when redirected). Tasks with different names may run at once and report from several threads; a
/// task is finished when <see cref="Done"/> reaches <see cref="Total"/>.
/// </summary>
/// <param name="Task">What is being done, unique among the tasks running at once (e.g. "validate val", "train/seq_01").</param>
/// <param name="Done">Units done so far, in [0, Total].</param>
/// <param name="Total">Units in all; 0 or less when not known.</param>
/// <param name="Unit">What is counted, plural ("steps", "windows", "sequences"); <see cref="Bytes"/> is shown in MiB.</param>
public readonly record struct ProgressReport(string Task, long Done, long Total, string Unit)
{
    /// <summary>The unit of byte counts.</summary>
    public const string Bytes = "bytes";

    /// <summary>Whether the task is done (a known total, reached).</summary>
    public bool IsFinished => Total > 0 && Done >= Total;

    /// <summary>Done / Total in [0, 1]; 0 when the total is not known.</summary>
    public double Fraction => Total > 0 ? Math.Clamp((double)Done / Total, 0, 1) : 0;

    /// <summary>A duration as h:mm:ss (d.hh:mm:ss from a day on), or "?" when unknown: how ETAs are printed.</summary>
    public static string FormatDuration(TimeSpan? duration) => duration switch
    {
        null => "?",
        { TotalDays: >= 1 } d => d.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture),
        { } d => d.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
    };
}
