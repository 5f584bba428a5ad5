using EventSsm.IO.Numpy;
using EventSsm.IO;

namespace EventSsm.Labels;

/// <summary>The record layouts in which Prophesee-style box arrays are written.</summary>
public enum BoxLayout
{
    /// <summary>Prophesee format v2, packed 33 bytes: t u8, x y w h f4, class_id u1, class_confidence f4, track_id u4.</summary>
    PropheseeV2,

    /// <summary>RVT's evaluation BBOX_DTYPE, 40 bytes: t i8, x y w h f4, class_id u4, track_id u4, class_confidence f4, pad.</summary>
    EvalBbox,
}

/// <summary>
/// Converts Prophesee bbox record arrays (.npy, structured dtype) to and from <see cref="BoundingBox"/>. Fields are
/// found by name and widened or narrowed by value, so packed and aligned files, the legacy v1 names (<c>ts</c>,
/// <c>confidence</c>), eTraM's and both DSEC-Det dtypes (docs/FORMATS.md §7.1) all read.
/// </summary>
public static class BoundingBoxFile
{
    /// <summary>Prophesee's packed v2 record dtype (<see cref="BoxLayout.PropheseeV2"/>).</summary>
    public static readonly NpyDType PropheseeV2DType = NpyDType.Packed(
        ("t", NpyDType.UInt64), ("x", NpyDType.Float32), ("y", NpyDType.Float32), ("w", NpyDType.Float32),
        ("h", NpyDType.Float32), ("class_id", NpyDType.UInt8), ("class_confidence", NpyDType.Float32),
        ("track_id", NpyDType.UInt32));

    /// <summary>RVT's aligned evaluation record dtype (<see cref="BoxLayout.EvalBbox"/>).</summary>
    public static readonly NpyDType EvalBboxDType = NpyDType.Structured(
        [
            new NpyField("t", NpyDType.Int64, 0), new NpyField("x", NpyDType.Float32, 8),
            new NpyField("y", NpyDType.Float32, 12), new NpyField("w", NpyDType.Float32, 16),
            new NpyField("h", NpyDType.Float32, 20), new NpyField("class_id", NpyDType.UInt32, 24),
            new NpyField("track_id", NpyDType.UInt32, 28), new NpyField("class_confidence", NpyDType.Float32, 32),
        ],
        40);

    /// <summary>Reads a bbox .npy file (any of the supported dtypes).</summary>
    public static BoundingBox[] Read(string path) => FromNpy(NpyFile.Read(path), path);

    /// <summary>
    /// Converts a structured record array to boxes; <paramref name="name"/> names the source in errors.
    /// </summary>
    public static BoundingBox[] FromNpy(NpyArray a, string? name = null)
    {
        if (!a.DType.IsStructured || a.Shape.Length != 1)
        {
            throw new DataFormatException(name, $"expected a 1-D structured bbox array, found dtype {a.DType} with shape ({string.Join(", ", a.Shape)})");
        }
        try
        {
            string tName = Has(a, "t") ? "t" : Has(a, "ts") ? "ts" : throw Missing(name, a, "t (or ts)");
            string confName = Has(a, "class_confidence") ? "class_confidence" : Has(a, "confidence") ? "confidence" : "";
            long[] t = a.GetFieldAsInt64(tName);
            float[] x = Floats(a, "x", name);
            float[] y = Floats(a, "y", name);
            float[] w = Floats(a, "w", name);
            float[] h = Floats(a, "h", name);
            long[] cls = Has(a, "class_id") ? a.GetFieldAsInt64("class_id") : throw Missing(name, a, "class_id");
            float[]? conf = confName.Length > 0 ? Floats(a, confName, name) : null;
            long[]? track = Has(a, "track_id") ? a.GetFieldAsInt64("track_id") : null;
            var boxes = new BoundingBox[t.Length];
            for (int i = 0; i < boxes.Length; i++)
            {
                if (cls[i] < 0 || cls[i] > uint.MaxValue)
                {
                    throw new DataFormatException(name, $"row {i}: class_id {cls[i]} is out of range");
                }
                if (track is not null && (track[i] < 0 || track[i] > uint.MaxValue))
                {
                    // DSEC-Det's README dtype has uint64 track ids; ours are uint32.
                    throw new DataFormatException(name, $"row {i}: track_id {track[i]} does not fit 32 bits");
                }
                boxes[i] = new BoundingBox(t[i], x[i], y[i], w[i], h[i], (uint)cls[i], conf?[i] ?? 1f, (uint)(track?[i] ?? 0));
            }
            return boxes;
        }
        catch (Exception e) when (e is InvalidOperationException or OverflowException)
        {
            throw new DataFormatException(name, $"bbox array has an unusable field: {e.Message}", e);
        }
    }

    /// <summary>The boxes as a structured record array in <paramref name="layout"/>.</summary>
    public static NpyArray ToNpy(ReadOnlySpan<BoundingBox> boxes, BoxLayout layout = BoxLayout.PropheseeV2)
    {
        NpyArray a = NpyArray.CreateStructured(layout == BoxLayout.PropheseeV2 ? PropheseeV2DType : EvalBboxDType, boxes.Length);
        int n = boxes.Length;
        var x = new float[n];
        var y = new float[n];
        var w = new float[n];
        var h = new float[n];
        var conf = new float[n];
        var track = new uint[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = boxes[i].X;
            y[i] = boxes[i].Y;
            w[i] = boxes[i].W;
            h[i] = boxes[i].H;
            conf[i] = boxes[i].ClassConfidence;
            track[i] = boxes[i].TrackId;
        }
        a.SetField<float>("x", x);
        a.SetField<float>("y", y);
        a.SetField<float>("w", w);
        a.SetField<float>("h", h);
        a.SetField<float>("class_confidence", conf);
        a.SetField<uint>("track_id", track);
        if (layout == BoxLayout.PropheseeV2)
        {
            var t = new ulong[n];
            var cls = new byte[n];
            for (int i = 0; i < n; i++)
            {
                t[i] = checked((ulong)boxes[i].T);
                cls[i] = checked((byte)boxes[i].ClassId);
            }
            a.SetField<ulong>("t", t);
            a.SetField<byte>("class_id", cls);
        }
        else
        {
            var t = new long[n];
            var cls = new uint[n];
            for (int i = 0; i < n; i++)
            {
                t[i] = boxes[i].T;
                cls[i] = boxes[i].ClassId;
            }
            a.SetField<long>("t", t);
            a.SetField<uint>("class_id", cls);
        }
        return a;
    }

    /// <summary>
    /// Throws <see cref="DataFormatException"/> naming the file and the first box whose class id has no name in
    /// <paramref name="classNames"/>.
    /// </summary>
    public static void CheckClassIds(ReadOnlySpan<BoundingBox> boxes, IReadOnlyList<string> classNames, string? name)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        for (int i = 0; i < boxes.Length; i++)
        {
            if (boxes[i].ClassId >= (uint)classNames.Count)
            {
                throw new DataFormatException(name,
                    $"row {i}: class_id {boxes[i].ClassId} is not one of the {classNames.Count} classes (0..{classNames.Count - 1}: {string.Join(", ", classNames)})");
            }
        }
    }

    /// <summary>Boxes per class id, in id order.</summary>
    public static SortedDictionary<uint, long> CountByClass(ReadOnlySpan<BoundingBox> boxes)
    {
        var counts = new SortedDictionary<uint, long>();
        foreach (BoundingBox b in boxes)
        {
            counts[b.ClassId] = counts.GetValueOrDefault(b.ClassId) + 1;
        }
        return counts;
    }

    /// <summary>Writes the boxes as a .npy record array in <paramref name="layout"/> (atomically).</summary>
    public static void Write(string path, ReadOnlySpan<BoundingBox> boxes, BoxLayout layout = BoxLayout.PropheseeV2) =>
        NpyFile.Write(path, ToNpy(boxes, layout));

    private static bool Has(NpyArray a, string field) => a.DType.TryGetField(field, out _);

    private static float[] Floats(NpyArray a, string field, string? name)
    {
        if (!a.DType.TryGetField(field, out NpyField? f))
        {
            throw Missing(name, a, field);
        }
        return f!.Type.Kind == 'f' && f.Type.ItemSize == 4
            ? a.GetField<float>(field)
            : a.GetFieldAsDouble(field).Select(v => (float)v).ToArray();
    }

    private static DataFormatException Missing(string? name, NpyArray a, string field) =>
        new(name, $"bbox array has no field '{field}' (dtype {a.DType})");
}
