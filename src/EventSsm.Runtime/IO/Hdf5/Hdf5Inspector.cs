using System.Globalization;
using System.Reflection;
using PureHDF;
using PureHDF.VOL.Native;

namespace EventSsm.IO.Hdf5;

/// <summary>Human-readable summary of an HDF5 file: groups, datasets, shapes, dtypes, chunking and filters.</summary>
public static class Hdf5Inspector
{
    // PureHDF 2.2 does not expose a dataset's filter pipeline publicly; it is read from the internal
    // NativeDataset.InternalFilterPipeline (FilterDescriptions: Identifier, Name, Flags, ClientData). If a later
    // PureHDF renames these, the inspector says so instead of failing.
    private static readonly PropertyInfo? s_filterPipeline =
        typeof(NativeDataset).GetProperty("InternalFilterPipeline", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>
    /// Lines describing every group, dataset (shape, type, chunking, filters) and attribute of an HDF5 file.
    /// </summary>
    public static IReadOnlyList<string> Describe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using NativeFile file = Hdf5Access.Open(path);
        var lines = new List<string> { $"{path}: HDF5, {new FileInfo(path).Length} bytes" };
        Hdf5Access.Guard(path, () => DescribeGroup(file, "", "", lines));
        return lines;
    }

    private static void DescribeGroup(NativeGroup group, string groupPath, string indent, List<string> lines)
    {
        foreach (IH5Object child in group.Children().OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            string childPath = $"{groupPath}/{child.Name}";
            switch (child)
            {
                case NativeGroup g:
                    lines.Add($"{indent}{childPath}/ (group)");
                    DescribeGroup(g, childPath, indent + "  ", lines);
                    break;
                case NativeDataset d:
                    DescribeDataset(d, childPath, indent, lines);
                    break;
                default:
                    lines.Add($"{indent}{childPath} ({child.GetType().Name})");
                    break;
            }
        }
    }

    private static void DescribeDataset(NativeDataset d, string path, string indent, List<string> lines)
    {
        string shape = d.Space.Type switch
        {
            H5DataspaceType.Scalar => "scalar",
            H5DataspaceType.Null => "null",
            _ => $"shape {Tuple(d.Space.Dimensions.Select(v => v.ToString(CultureInfo.InvariantCulture)))}"
                + $" maxshape {Tuple(d.Space.MaxDimensions.Select(v => v == ulong.MaxValue ? "None" : v.ToString(CultureInfo.InvariantCulture)))}",
        };
        lines.Add($"{indent}{path}: {TypeName(d.Type)} {shape}");
        string layout = d.Layout.Class == H5DataLayoutClass.Chunked
            ? $"chunked {Tuple(d.Layout.Chunks.Select(v => v.ToString(CultureInfo.InvariantCulture)))}"
            : d.Layout.Class.ToString().ToLowerInvariant();
        lines.Add($"{indent}  layout: {layout}");
        foreach (string f in Filters(d))
        {
            lines.Add($"{indent}  filter: {f}");
        }
    }

    /// <summary>One entry per filter: "id NAME (flags F) cd_values (...)".</summary>
    internal static IReadOnlyList<string> Filters(NativeDataset d)
    {
        object? pipeline = s_filterPipeline?.GetValue(d);
        if (pipeline is null)
        {
            return s_filterPipeline is null ? ["(filter pipeline not readable with this PureHDF version)"] : [];
        }
        var result = new List<string>();
        if (pipeline.GetType().GetProperty("FilterDescriptions")?.GetValue(pipeline) is not Array descriptions)
        {
            return ["(filter pipeline not readable with this PureHDF version)"];
        }
        foreach (object desc in descriptions)
        {
            Type t = desc.GetType();
            object? id = t.GetProperty("Identifier")?.GetValue(desc);
            string? name = t.GetProperty("Name")?.GetValue(desc) as string;
            object? flags = t.GetProperty("Flags")?.GetValue(desc);
            uint[] cd = t.GetProperty("ClientData")?.GetValue(desc) as uint[] ?? [];
            string known = Convert.ToUInt16(id, CultureInfo.InvariantCulture) switch
            {
                1 => "deflate",
                2 => "shuffle",
                3 => "fletcher32",
                4 => "szip",
                5 => "nbit",
                6 => "scaleoffset",
                BloscH5Filter.Id => "blosc",
                EcfH5Filter.Id => "ecf (Prophesee)",
                _ => "",
            };
            string label = string.IsNullOrEmpty(name) ? known : name;
            string flagText = Convert.ToInt32(flags, CultureInfo.InvariantCulture) switch
            {
                0 => "mandatory",
                1 => "optional",
                int other => $"flags {other}",
            };
            result.Add($"{id} {label} ({flagText}) cd_values {Tuple(cd.Select(v => v.ToString(CultureInfo.InvariantCulture)))}"
                + (Convert.ToUInt16(id, CultureInfo.InvariantCulture) == BloscH5Filter.Id ? BloscDetails(cd) : ""));
        }
        return result;
    }

    private static string BloscDetails(uint[] cd)
    {
        if (cd.Length < 7)
        {
            return "";
        }
        string shuffle = cd[5] switch
        {
            0 => "no shuffle",
            1 => "byte shuffle",
            2 => "bit shuffle",
            _ => $"shuffle {cd[5]}",
        };
        string[] codecs = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"];
        string codec = cd[6] < codecs.Length ? codecs[cd[6]] : $"compressor {cd[6]}";
        return $" = typesize {cd[2]}, chunk {cd[3]} bytes, clevel {cd[4]}, {shuffle}, {codec}";
    }

    private static string TypeName(IH5DataType type) => type.Class switch
    {
        H5DataTypeClass.FixedPoint => $"{(type.FixedPoint.IsSigned ? "int" : "uint")}{8 * type.Size}",
        H5DataTypeClass.FloatingPoint => $"float{8 * type.Size}",
        _ => $"{type.Class} ({type.Size} bytes)",
    };

    private static string Tuple(IEnumerable<string> items)
    {
        string[] a = items.ToArray();
        return a.Length == 1 ? $"({a[0]},)" : $"({string.Join(", ", a)})";
    }
}
