using System.Globalization;
using System.Text;
using EventSsm.IO;

namespace EventSsm.Events;

/// <summary>
/// The text header of a Metavision .raw file: '% key value' lines at the start of the file, ended by '% end' (newer
/// files) or by the first byte that is not '%' (older files). The event format comes from
/// '% format EVT3;height=720;width=1280' (newer) or '% evt 3.0' (older); the sensor size from the format's
/// height/width options or from '% geometry 1280x720'. Older recordings with neither get both from their camera's
/// '% system_ID' as Metavision does, else from the plugin name or sensor generation (docs/FORMATS.md §4).
/// </summary>
public sealed class RawFileHeader
{
    /// <summary>Longest header line accepted.</summary>
    public const int MaxLineBytes = 4096;
    /// <summary>Largest header accepted; a file without '% end' within it is not a .raw recording.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>EVT 2.0/2.1/3.0 address fields are 11 bits wide.</summary>
    public const int MaxDimension = 2048;

    /// <summary>
    /// A header of <paramref name="format"/> for a <paramref name="width"/>×<paramref name="height"/> sensor whose
    /// events start at <paramref name="dataOffset"/>; <paramref name="sizeSource"/> says where the size came from.
    /// </summary>
    public RawFileHeader(RawEventFormat format, int width, int height, long dataOffset,
        IReadOnlyList<KeyValuePair<string, string>> fields, string sizeSource = "header")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxDimension);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, MaxDimension);
        Format = format;
        Width = width;
        Height = height;
        DataOffset = dataOffset;
        Fields = fields;
        SizeSource = sizeSource;
    }

    /// <summary>The event word format (EVT 2.0, 2.1, 2.1 legacy layout, 3.0).</summary>
    public RawEventFormat Format { get; }

    /// <summary>Sensor width in pixels.</summary>
    public int Width { get; }

    /// <summary>Sensor height in pixels.</summary>
    public int Height { get; }

    /// <summary>Byte offset of the first event word.</summary>
    public long DataOffset { get; }

    /// <summary>
    /// Where <see cref="Width"/>/<see cref="Height"/> came from: "header", "override", or for old files without a
    /// geometry the system-ID table or a heuristic (docs/FORMATS.md §4).
    /// </summary>
    public string SizeSource { get; }

    /// <summary>Every header line as (key, value), in file order ('% end' excluded).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    /// <summary>Size in bytes of one event word (EVT 2.1 words are 8 bytes, EVT 2.0 4, EVT 3.0 2).</summary>
    public int WordSize => WordSizeOf(Format);

    /// <summary>Size in bytes of one event word of <paramref name="format"/>.</summary>
    public static int WordSizeOf(RawEventFormat format) => format switch
    {
        RawEventFormat.Evt2 => 4,
        RawEventFormat.Evt21 or RawEventFormat.Evt21Legacy => 8,
        RawEventFormat.Evt3 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>The value of the last line with this key, or null.</summary>
    public string? Get(string key)
    {
        for (int i = Fields.Count - 1; i >= 0; i--)
        {
            if (Fields[i].Key == key)
            {
                return Fields[i].Value;
            }
        }
        return null;
    }

    /// <summary>
    /// Reads the header of <paramref name="path"/>; <paramref name="width"/>/<paramref name="height"/> override its
    /// geometry.
    /// </summary>
    public static RawFileHeader Read(string path, int? width = null, int? height = null)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(fs, path, width, height);
    }

    /// <summary>
    /// Parses the header at the stream's position and leaves the stream at the first event byte.
    /// <paramref name="width"/>/<paramref name="height"/> override the geometry (needed for old files without one).
    /// </summary>
    public static RawFileHeader Read(Stream s, string? name, int? width = null, int? height = null)
    {
        var fields = new List<KeyValuePair<string, string>>();
        long start = s.Position;
        long pos = start;
        var line = new StringBuilder();
        while (true)
        {
            int b0 = s.ReadByte();
            if (b0 != '%')
            {
                s.Position = pos;
                break;
            }
            line.Clear();
            int c;
            while ((c = s.ReadByte()) >= 0 && c != '\n')
            {
                if (line.Length >= MaxLineBytes)
                {
                    throw new DataFormatException(name, $"header line at byte {pos} is longer than {MaxLineBytes} bytes");
                }
                line.Append((char)c); // latin-1
            }
            pos = s.Position;
            if (pos - start > MaxHeaderBytes)
            {
                throw new DataFormatException(name, $"the header is longer than {MaxHeaderBytes} bytes");
            }
            string content = line.ToString().Trim();
            if (content == "end")
            {
                break;
            }
            int sp = content.IndexOf(' ');
            string key = sp < 0 ? content : content[..sp];
            string value = sp < 0 ? "" : content[(sp + 1)..].Trim();
            fields.Add(new KeyValuePair<string, string>(key, value));
        }
        return Interpret(fields, pos, name, width, height);
    }

    private static RawFileHeader Interpret(List<KeyValuePair<string, string>> fields, long dataOffset, string? name,
        int? widthOverride, int? heightOverride)
    {
        var header = new RawFileHeader(RawEventFormat.Evt3, 1, 1, dataOffset, fields);
        PropheseeCamera? camera = KnownCamera(header);
        string? format = header.Get("format");
        string? evt = header.Get("evt");
        RawEventFormat fmt;
        int? width = null;
        int? height = null;
        if (format is not null)
        {
            string[] parts = format.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string opt in parts.Skip(1))
            {
                int eq = opt.IndexOf('=');
                if (eq > 0)
                {
                    options[opt[..eq].Trim()] = opt[(eq + 1)..].Trim();
                }
            }
            bool legacy = options.TryGetValue("endianness", out string? endian)
                && endian.Equals("legacy", StringComparison.OrdinalIgnoreCase);
            string formatName = parts.Length > 0 ? parts[0].ToUpperInvariant() : "";
            fmt = formatName switch
            {
                "EVT2" or "EVT20" => RawEventFormat.Evt2,
                "EVT21" => legacy ? RawEventFormat.Evt21Legacy : RawEventFormat.Evt21,
                "EVT3" or "EVT30" => RawEventFormat.Evt3,
                _ => throw new UnsupportedDataException(name, $"event format '{format}' is not supported (EVT2, EVT21 and EVT3 are)"),
            };
            if (options.TryGetValue("width", out string? w))
            {
                width = ParseDim(w, "width", name);
            }
            if (options.TryGetValue("height", out string? h))
            {
                height = ParseDim(h, "height", name);
            }
        }
        else if (evt is not null)
        {
            fmt = evt switch
            {
                "2.0" => RawEventFormat.Evt2,
                // Files with only '% evt 2.1' predate the '% format' line and GenX320, so they come from IMX636-era
                // cameras, which write the header half of each 64-bit word first (OpenEB calls this "legacy").
                "2.1" => RawEventFormat.Evt21Legacy,
                "3.0" => RawEventFormat.Evt3,
                _ => throw new UnsupportedDataException(name, $"event format 'evt {evt}' is not supported (2.0, 2.1 and 3.0 are)"),
            };
        }
        else if (camera is not null)
        {
            fmt = camera.Format;
        }
        else
        {
            throw new UnsupportedDataException(name, "the header has no '% format' or '% evt' line and no known '% system_ID', so the event encoding is unknown");
        }
        string? geometry = header.Get("geometry");
        if ((width is null || height is null) && geometry is not null)
        {
            string[] wh = geometry.Split('x', StringSplitOptions.TrimEntries);
            if (wh.Length != 2)
            {
                throw new DataFormatException(name, $"header line '% geometry {geometry}' is not WIDTHxHEIGHT");
            }
            width ??= ParseDim(wh[0], "geometry width", name);
            height ??= ParseDim(wh[1], "geometry height", name);
        }
        string source = "header";
        if (widthOverride is not null || heightOverride is not null)
        {
            width = widthOverride ?? width;
            height = heightOverride ?? height;
            source = "override";
        }
        if (width is null || height is null)
        {
            (SensorSize? legacy, source) = LegacyGeometry(header, camera);
            if (legacy is not { } size)
            {
                string id = header.Get("system_ID") is { } sid ? $"system_ID {sid} is not a known Prophesee camera" : "there is no system_ID";
                throw new DataFormatException(name, $"the header gives no sensor size (no '% geometry', no format width/height; {id}, and neither plugin_name nor sensor_generation names a sensor); pass --width and --height");
            }
            width ??= size.Width;
            height ??= size.Height;
        }
        if (width > MaxDimension || height > MaxDimension || width <= 0 || height <= 0)
        {
            throw new UnsupportedDataException(name, $"sensor size {width}×{height} is outside 1..{MaxDimension}");
        }
        return new RawFileHeader(fmt, width.Value, height.Value, dataOffset, fields, source);
    }

    /// <summary>
    /// Metavision consults its system-ID table only for Prophesee's own recordings: integrator names missing (files
    /// before SDK 4.0) or "Prophesee".
    /// </summary>
    private static PropheseeCamera? KnownCamera(RawFileHeader header)
    {
        string? legacy = header.Get("integrator_name");
        string plugin = header.Get("plugin_integrator_name") ?? legacy ?? "Prophesee";
        string camera = header.Get("camera_integrator_name") ?? legacy ?? "Prophesee";
        if (!plugin.Equals("Prophesee", StringComparison.OrdinalIgnoreCase) || !camera.Equals("Prophesee", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return PropheseeCameras.ParseSystemId(header.Get("system_ID")) is { } id ? PropheseeCameras.Find(id) : null;
    }

    private static (SensorSize? Size, string Source) LegacyGeometry(RawFileHeader header, PropheseeCamera? camera)
    {
        if (camera is not null)
        {
            return (new SensorSize(camera.Width, camera.Height), $"system_ID {camera.SystemId} ({camera.Name})");
        }
        string? plugin = header.Get("plugin_name");
        if (PropheseeCameras.FromPluginName(plugin) is { } fromPlugin)
        {
            return (fromPlugin, $"plugin_name {plugin} (heuristic)");
        }
        string? generation = header.Get("sensor_generation") ?? header.Get("generation");
        if (PropheseeCameras.FromGeneration(generation) is { } fromGeneration)
        {
            return (fromGeneration, $"sensor_generation {generation} (heuristic)");
        }
        return (null, "");
    }

    private static int ParseDim(string v, string what, string? name)
    {
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int d) || d <= 0 || d > MaxDimension)
        {
            throw new DataFormatException(name, $"header {what} '{v}' is not a size in 1..{MaxDimension}");
        }
        return d;
    }
}
