namespace EventSsm.Events;

/// <summary>The event file formats <see cref="EventRecording"/> can open.</summary>
public enum EventFileFormat
{
    /// <summary>Prophesee Event2D .dat (data_eval_spec.md §1.1).</summary>
    Dat,
}

/// <summary>
/// Entry point for event recordings of any supported format: <see cref="Open"/> for streaming, <see cref="ReadAll"/>
/// for small files. A new format needs one enum member, one case in <see cref="DetectFormat"/> and one in
/// <see cref="Open"/>.
/// </summary>
public static class EventRecording
{
    /// <summary>The format of <paramref name="path"/>, from its name.</summary>
    public static EventFileFormat DetectFormat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".dat", StringComparison.Ordinal))
        {
            return EventFileFormat.Dat;
        }
        throw new NotSupportedException($"{path}: unknown event file type (supported: .dat)");
    }

    /// <summary>Opens a streaming reader; the file stays open until the reader is disposed.</summary>
    public static IEventReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        return DetectFormat(path) switch
        {
            EventFileFormat.Dat => new DatStreamReader(path),
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
