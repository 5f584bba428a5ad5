using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>The event file formats <see cref="EventRecording"/> can open.</summary>
public enum EventFileFormat
{
    /// <summary>Prophesee Event2D .dat (docs/DATA.md §1.1).</summary>
    Dat,

    /// <summary>RVT raw event HDF5, <c>&lt;seq&gt;_td.dat.h5</c> / <c>&lt;seq&gt;_td.h5</c>
    /// (docs/DATA.md §1.3).</summary>
    H5,

    /// <summary>Prophesee Metavision .raw (EVT 2.0, 2.1, 3.0).</summary>
    Raw,

    /// <summary>Prophesee Metavision HDF5 (.hdf5/.h5 with /CD/events, ECF; docs/FORMATS.md §1).</summary>
    PropheseeHdf5,

    /// <summary>Text events, one "t,x,y,p" line each (.csv/.txt; docs/FORMATS.md §8).</summary>
    Csv,
}

/// <summary>
/// Entry point for event recordings of any supported format: <see cref="Open"/> for streaming, <see cref="ReadAll"/>
/// for small files. A new format needs one enum member, one case in <see cref="DetectFormat"/> and one in
/// <see cref="Open"/>.
/// </summary>
public static class EventRecording
{
    /// <summary>The event file extensions <see cref="Open"/> reads.</summary>
    public const string SupportedExtensions = ".dat, .raw, .h5, .hdf5, .csv, .txt";

    /// <summary>
    /// The format of <paramref name="path"/>, from its name; an existing .h5/.hdf5 file is looked into, because
    /// Metavision's layout (/CD/events) and RVT's or DSEC's (events/x…) share the extensions.
    /// </summary>
    public static EventFileFormat DetectFormat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".dat", StringComparison.Ordinal))
        {
            return EventFileFormat.Dat;
        }
        if (name.EndsWith(".h5", StringComparison.Ordinal) || name.EndsWith(".hdf5", StringComparison.Ordinal))
        {
            return File.Exists(path) && LooksLikePropheseeHdf5(path) ? EventFileFormat.PropheseeHdf5 : EventFileFormat.H5;
        }
        if (name.EndsWith(".raw", StringComparison.Ordinal))
        {
            return EventFileFormat.Raw;
        }
        if (name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".txt", StringComparison.Ordinal))
        {
            return EventFileFormat.Csv;
        }
        throw new NotSupportedException($"{path}: unknown event file type (supported: {SupportedExtensions})");
    }

    /// <summary>Whether an HDF5 file has Metavision's /CD/events; false for files that are not readable HDF5 at all
    /// (opening them as RVT .h5 then reports what is wrong).</summary>
    private static bool LooksLikePropheseeHdf5(string path)
    {
        try
        {
            return PropheseeHdf5Reader.IsPropheseeHdf5(path);
        }
        catch (IO.DataFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Opens a reader; the file stays open until the reader is disposed. <paramref name="defaultSize"/> is the sensor
    /// size for an .h5 file without events/width and events/height (default gen1), a Metavision HDF5 file without a
    /// geometry attribute or a text file without a size comment (default: the largest coordinates + 1). A .raw file is indexed by one
    /// streaming pass (<see cref="RawStreamReader"/>), so reads stay bounded in memory; its timestamps get the
    /// running-maximum correction RVT applies to its .h5 files, because a .raw stream may step back in time.
    /// </summary>
    public static IEventReader Open(string path, SensorSize? defaultSize = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        return DetectFormat(path) switch
        {
            EventFileFormat.Dat => new DatStreamReader(path),
            EventFileFormat.H5 => RawEventH5Reader.Open(path, defaultSize),
            EventFileFormat.Raw => RawStreamReader.Open(path),
            EventFileFormat.PropheseeHdf5 => PropheseeHdf5Reader.Open(path, defaultSize),
            EventFileFormat.Csv => CsvEventReader.Open(path, defaultSize),
            _ => throw new NotSupportedException($"{path}: no reader for this format"),
        };
    }

    /// <summary>Reads every event into memory.</summary>
    public static EventArray ReadAll(string path)
    {
        using IEventReader reader = Open(path);
        if (reader.Count > Array.MaxLength)
        {
            throw new IO.UnsupportedDataException(path, $"{reader.Count} events do not fit one array; stream the file by time window");
        }
        var buffer = new EventBuffer(reader.Width, reader.Height, (int)reader.Count);
        EventArray view = reader.Read(0, (int)reader.Count, buffer);
        return view;
    }
}
