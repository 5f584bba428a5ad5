using System.Globalization;
using EventSsm.Events;
using EventSsm.IO.Numpy;

namespace EventSsm.IO;

/// <summary>
/// Human-readable summaries of the files EventSsm reads, one line per fact, for `eventssm inspect`. A new format is
/// one case in <see cref="Describe"/> plus its describer.
/// </summary>
public static class FileInspector
{
    public static IReadOnlyList<string> Describe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        string ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".dat" => DescribeDat(path),
            ".npy" => DescribeNpy(path),
            ".npz" => DescribeNpz(path),
            _ => throw new NotSupportedException($"{path}: cannot inspect '{ext}' files (supported: .dat, .npy, .npz)"),
        };
    }

    /// <summary>Streams the events once (bounded memory) to count polarities and check order and coordinates.</summary>
    private static List<string> DescribeDat(string path)
    {
        using var reader = new DatStreamReader(path);
        long on = 0;
        foreach (EventArray chunk in EventWindows.ByCount(reader, 1 << 20))
        {
            on += chunk.P.AsSpan(0, chunk.Count).Count((byte)1);
        }
        var lines = new List<string>
        {
            "format: Prophesee Event2D .dat",
            $"header: {reader.Header.Lines.Count} lines, {reader.Header.DataOffset} bytes, ev_type {reader.Header.EventType}, ev_size {reader.Header.EventSize}",
            $"sensor: {reader.Width}×{reader.Height} (W×H)",
            $"events: {N(reader.Count)}",
        };
        if (reader.Count > 0)
        {
            long t0 = reader.TimeAt(0);
            long t1 = reader.TimeAt(reader.Count - 1);
            double seconds = (t1 - t0) / 1e6;
            lines.Add($"time: {N(t0)} … {N(t1)} µs ({seconds.ToString("0.000", CultureInfo.InvariantCulture)} s)");
            lines.Add($"polarity: ON {N(on)}, OFF {N(reader.Count - on)}");
            if (seconds > 0)
            {
                lines.Add($"rate: {(reader.Count / seconds / 1e6).ToString("0.000", CultureInfo.InvariantCulture)} Mev/s");
            }
        }
        return lines;
    }

    private static List<string> DescribeNpy(string path)
    {
        (NpyDType dtype, long[] shape) = NpyFile.ReadHeader(path);
        return ["format: NumPy .npy", .. DescribeArray(dtype, shape)];
    }

    private static List<string> DescribeNpz(string path)
    {
        using NpzFile npz = NpzFile.Open(path);
        var lines = new List<string> { $"format: NumPy .npz, {npz.Keys.Count} member(s)" };
        foreach (string key in npz.Keys.Order(StringComparer.Ordinal))
        {
            (NpyDType dtype, long[] shape) = npz.ReadHeader(key);
            lines.Add($"member '{key}':");
            lines.AddRange(DescribeArray(dtype, shape).Select(l => "  " + l));
        }
        return lines;
    }

    private static IEnumerable<string> DescribeArray(NpyDType dtype, long[] shape)
    {
        yield return $"shape: ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : string.Empty)})";
        if (dtype.IsStructured)
        {
            yield return $"dtype: structured, {dtype.ItemSize} bytes per record";
            foreach (NpyField f in dtype.Fields.OrderBy(f => f.Offset))
            {
                yield return $"  field '{f.Name}': {f.Type} at byte {f.Offset}";
            }
        }
        else
        {
            yield return $"dtype: {dtype}";
        }
    }

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
}
