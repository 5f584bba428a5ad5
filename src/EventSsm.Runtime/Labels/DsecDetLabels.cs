using EventSsm.IO;

namespace EventSsm.Labels;

/// <summary>
/// DSEC-Det sequences (docs/FORMATS.md §7): <c>&lt;seq&gt;/events/left/events.h5</c> and
/// <c>&lt;seq&gt;/object_detections/left/tracks.npy</c>, boxes in the raw (distorted) 640×480 event view at the 20 Hz
/// image times. The npy dtype differs between the README and the dsec-det package; both read by field name.
/// </summary>
public static class DsecDetLabels
{
    /// <summary>DSEC-Det's 8 classes, by class_id.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["pedestrian", "rider", "car", "bus", "truck", "bicycle", "motorcycle", "train"];

    /// <summary>The events file of a DSEC-Det sequence folder.</summary>
    public static string EventsPath(string sequenceDir) => Path.Combine(sequenceDir, "events", "left", "events.h5");

    /// <summary>The tracks (labels) file of a DSEC-Det sequence folder.</summary>
    public static string TracksPath(string sequenceDir) => Path.Combine(sequenceDir, "object_detections", "left", "tracks.npy");

    /// <summary>The sequence of a DSEC <c>&lt;seq&gt;/events/left/events.h5</c> path, or null for another path.</summary>
    public static string? SequenceName(string eventsPath)
    {
        ArgumentNullException.ThrowIfNull(eventsPath);
        string? left = Path.GetDirectoryName(eventsPath);
        string? events = Path.GetDirectoryName(left);
        return Path.GetFileName(eventsPath) == "events.h5" && Path.GetFileName(left) == "left" && Path.GetFileName(events) == "events"
            ? Path.GetFileName(Path.GetDirectoryName(events))
            : null;
    }

    /// <summary>Whether <paramref name="path"/> is named like a DSEC-Det tracks file.</summary>
    public static bool IsTracksPath(string path) =>
        Path.GetFileName(path) == "tracks.npy"
        && Path.GetFileName(Path.GetDirectoryName(path)) == "left"
        && Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))) == "object_detections";

    /// <summary>The boxes of a tracks.npy (either dtype), class ids checked against <see cref="ClassNames"/>.</summary>
    public static BoundingBox[] Read(string tracksPath)
    {
        BoundingBox[] boxes = BoundingBoxFile.Read(tracksPath);
        BoundingBoxFile.CheckClassIds(boxes, ClassNames, tracksPath);
        return boxes;
    }
}
