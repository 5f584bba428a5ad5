using System.Globalization;
using System.Text;

namespace EventSsm.IO.Numpy;

/// <summary>One named field of a structured dtype.</summary>
public sealed record NpyField(string Name, NpyDType Type, int Offset);

/// <summary>
/// A NumPy dtype: either a scalar (kind b/i/u/f/c/V and an item size) or a structured record of named fields at
/// explicit offsets (packed, aligned or with gaps). Data held by <see cref="NpyArray"/> is always little-endian;
/// <see cref="BigEndianOnDisk"/> only remembers what the file said.
/// </summary>
public sealed class NpyDType
{
    private NpyDType(char kind, int itemSize, IReadOnlyList<NpyField> fields, bool bigEndian)
    {
        Kind = kind;
        ItemSize = itemSize;
        Fields = fields;
        BigEndianOnDisk = bigEndian;
    }

    /// <summary>'b' bool, 'i' signed, 'u' unsigned, 'f' float, 'c' complex, 'V' void/padding or structured.</summary>
    public char Kind { get; }

    /// <summary>Bytes per element or record.</summary>
    public int ItemSize { get; }

    /// <summary>The named fields of a structured dtype; empty for a scalar dtype.</summary>
    public IReadOnlyList<NpyField> Fields { get; }

    /// <summary>Whether this is a structured (record) dtype.</summary>
    public bool IsStructured => Fields.Count > 0;

    /// <summary>Whether the file stored the values big-endian (they are converted to little-endian on reading).</summary>
    public bool BigEndianOnDisk { get; }

    /// <summary>NumPy bool (1 byte).</summary>
    public static readonly NpyDType Bool = new('b', 1, [], false);
    /// <summary>NumPy int8.</summary>
    public static readonly NpyDType Int8 = new('i', 1, [], false);
    /// <summary>NumPy uint8.</summary>
    public static readonly NpyDType UInt8 = new('u', 1, [], false);
    /// <summary>NumPy int16.</summary>
    public static readonly NpyDType Int16 = new('i', 2, [], false);
    /// <summary>NumPy uint16.</summary>
    public static readonly NpyDType UInt16 = new('u', 2, [], false);
    /// <summary>NumPy int32.</summary>
    public static readonly NpyDType Int32 = new('i', 4, [], false);
    /// <summary>NumPy uint32.</summary>
    public static readonly NpyDType UInt32 = new('u', 4, [], false);
    /// <summary>NumPy int64.</summary>
    public static readonly NpyDType Int64 = new('i', 8, [], false);
    /// <summary>NumPy uint64.</summary>
    public static readonly NpyDType UInt64 = new('u', 8, [], false);
    /// <summary>NumPy float16.</summary>
    public static readonly NpyDType Float16 = new('f', 2, [], false);
    /// <summary>NumPy float32.</summary>
    public static readonly NpyDType Float32 = new('f', 4, [], false);
    /// <summary>NumPy float64.</summary>
    public static readonly NpyDType Float64 = new('f', 8, [], false);
    /// <summary>NumPy complex64.</summary>
    public static readonly NpyDType Complex64 = new('c', 8, [], false);
    /// <summary>NumPy complex128.</summary>
    public static readonly NpyDType Complex128 = new('c', 16, [], false);

    /// <summary>Opaque bytes of the given size (NumPy 'V').</summary>
    public static NpyDType Void(int size) => new('V', size, [], false);

    /// <summary>
    /// A scalar dtype of <paramref name="kind"/> ('b', 'i', 'u', 'f', 'c' or 'V') and <paramref name="itemSize"/>
    /// bytes.
    /// </summary>
    public static NpyDType Scalar(char kind, int itemSize, bool bigEndian = false)
    {
        bool ok = kind switch
        {
            'b' => itemSize == 1,
            'i' or 'u' => itemSize is 1 or 2 or 4 or 8,
            'f' => itemSize is 2 or 4 or 8,
            'c' => itemSize is 8 or 16,
            'V' => itemSize > 0,
            _ => false,
        };
        if (!ok)
        {
            throw new NotSupportedException($"dtype kind '{kind}' with item size {itemSize} is not supported");
        }
        return new NpyDType(kind, itemSize, [], bigEndian && itemSize > 1);
    }

    /// <summary>A structured dtype; fields must not overlap and must fit into <paramref name="itemSize"/>.</summary>
    public static NpyDType Structured(IReadOnlyList<NpyField> fields, int itemSize)
    {
        if (fields.Count == 0)
        {
            throw new ArgumentException("a structured dtype needs at least one field", nameof(fields));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        var sorted = fields.OrderBy(f => f.Offset).ToArray();
        int end = 0;
        foreach (NpyField f in sorted)
        {
            if (!names.Add(f.Name))
            {
                throw new ArgumentException($"duplicate field name '{f.Name}'", nameof(fields));
            }
            if (f.Offset < end)
            {
                throw new ArgumentException($"field '{f.Name}' at offset {f.Offset} overlaps the previous field", nameof(fields));
            }
            if (f.Type.IsStructured)
            {
                throw new NotSupportedException("nested structured dtypes are not supported");
            }
            end = f.Offset + f.Type.ItemSize;
        }
        if (end > itemSize)
        {
            throw new ArgumentException($"fields need {end} bytes but the item size is {itemSize}", nameof(itemSize));
        }
        return new NpyDType('V', itemSize, fields.ToArray(), false);
    }

    /// <summary>Packed structured dtype (offsets are consecutive), like NumPy's list-of-tuples form.</summary>
    public static NpyDType Packed(params (string Name, NpyDType Type)[] fields)
    {
        var list = new List<NpyField>(fields.Length);
        int off = 0;
        foreach ((string name, NpyDType type) in fields)
        {
            list.Add(new NpyField(name, type, off));
            off += type.ItemSize;
        }
        return Structured(list, off);
    }

    /// <summary>
    /// The field named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> when there is none.
    /// </summary>
    public NpyField GetField(string name) =>
        TryGetField(name, out NpyField? f) ? f! : throw new KeyNotFoundException($"no field '{name}' in dtype {ToDescr()}");

    /// <summary>Looks up the field named <paramref name="name"/>.</summary>
    public bool TryGetField(string name, out NpyField? field)
    {
        foreach (NpyField f in Fields)
        {
            if (f.Name == name)
            {
                field = f;
                return true;
            }
        }
        field = null;
        return false;
    }

    /// <summary>Parses a .npy header 'descr' value (string, list of tuples, or dict with names/formats/offsets).</summary>
    internal static NpyDType FromDescr(object? descr)
    {
        switch (descr)
        {
            case string s:
                return FromTypeString(s);
            case List<object?> list:
            {
                var fields = new List<NpyField>();
                int off = 0;
                foreach (object? item in list)
                {
                    if (item is not List<object?> tup || tup.Count < 2 || tup[0] is not string name)
                    {
                        throw new FormatException("structured descr entries must be (name, format) tuples");
                    }
                    if (tup.Count > 2)
                    {
                        throw new NotSupportedException($"sub-array field '{name}' is not supported");
                    }
                    NpyDType t = FromDescr(tup[1]);
                    if (name.Length > 0)
                    {
                        fields.Add(new NpyField(name, t, off));
                    }
                    off += t.ItemSize; // unnamed entries are NumPy's padding
                }
                return Structured(fields, off);
            }
            case Dictionary<string, object?> dict:
            {
                if (!dict.TryGetValue("names", out object? n) || n is not List<object?> names ||
                    !dict.TryGetValue("formats", out object? fm) || fm is not List<object?> formats ||
                    names.Count != formats.Count)
                {
                    throw new FormatException("dict descr needs 'names' and 'formats' of equal length");
                }
                List<object?>? offsets = dict.TryGetValue("offsets", out object? o) ? o as List<object?> : null;
                var fields = new List<NpyField>();
                int off = 0;
                for (int k = 0; k < names.Count; k++)
                {
                    NpyDType t = FromDescr(formats[k]);
                    int at = offsets is null ? off : checked((int)(long)offsets[k]!);
                    fields.Add(new NpyField((string)names[k]!, t, at));
                    off = at + t.ItemSize;
                }
                int size = dict.TryGetValue("itemsize", out object? isz) && isz is long l ? checked((int)l) : off;
                return Structured(fields, size);
            }
            default:
                throw new FormatException("unrecognised descr");
        }
    }

    private static NpyDType FromTypeString(string s)
    {
        if (s.Length < 2)
        {
            throw new NotSupportedException($"dtype '{s}' is not supported");
        }
        int i = 0;
        bool big = false;
        if (s[0] is '<' or '>' or '|' or '=')
        {
            big = s[0] == '>';
            i = 1;
        }
        char kind = s[i];
        if (!int.TryParse(s.AsSpan(i + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
        {
            throw new NotSupportedException($"dtype '{s}' is not supported");
        }
        try
        {
            return Scalar(kind, size, big);
        }
        catch (NotSupportedException)
        {
            throw new NotSupportedException($"dtype '{s}' is not supported (supported: b1, i1-i8, u1-u8, f2, f4, f8, c8, c16 and structured records of them)");
        }
    }

    /// <summary>The descr as NumPy writes it (always little-endian).</summary>
    public string ToDescr()
    {
        if (!IsStructured)
        {
            char order = ItemSize == 1 || Kind == 'V' ? '|' : '<';
            return $"'{order}{Kind}{ItemSize}'";
        }
        var sorted = Fields.OrderBy(f => f.Offset).ToArray();
        var sb = new StringBuilder("[");
        int off = 0;
        foreach (NpyField f in sorted)
        {
            if (f.Offset > off)
            {
                sb.Append($"('', '|V{f.Offset - off}'), ");
            }
            sb.Append($"('{f.Name}', {f.Type.ToDescr()}), ");
            off = f.Offset + f.Type.ItemSize;
        }
        if (ItemSize > off)
        {
            sb.Append($"('', '|V{ItemSize - off}'), ");
        }
        sb.Length -= 2;
        sb.Append(']');
        return sb.ToString();
    }

    /// <summary>The dtype as NumPy's descr string (e.g. &lt;f4 or a list of fields).</summary>
    public override string ToString() => ToDescr().Trim('\'');
}
