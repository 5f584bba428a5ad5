using System.Globalization;
using System.Text;
using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Inference;

/// <summary>Writers for predicted boxes: the Prophesee v2 .npy (readable by evaluate) and a CSV for spreadsheets.</summary>
public static class PredictionFiles
{
    /// <summary>
    /// Writes boxes as CSV rows (t, x, y, w, h, class id and name, confidence) with <paramref name="classNames"/> by
    /// class id.
    /// </summary>
    public static void WriteCsv(string path, IReadOnlyList<BoundingBox> boxes, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        var sb = new StringBuilder("t,x,y,w,h,class_id,class_name,class_confidence\n");
        foreach (BoundingBox b in boxes)
        {
            string name = b.ClassId < classNames.Count ? classNames[(int)b.ClassId] : "";
            sb.Append(CultureInfo.InvariantCulture, $"{b.T},{b.X:R},{b.Y:R},{b.W:R},{b.H:R},{b.ClassId},{name},{b.ClassConfidence:R}\n");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
