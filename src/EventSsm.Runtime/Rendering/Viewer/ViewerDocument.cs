using System.Net;
using System.Text;
using System.Text.Json;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Rendering.Viewer;

/// <summary>The stacked histogram shown in the page's representation view (shape and count cutoff).</summary>
public sealed record RepresentationLayout(string Name, int Bins, int Height, int Width, int CountCutoff)
{
    /// <summary>OFF bins then ON bins, as the model input (docs/DATA.md §2.5).</summary>
    public int Channels => 2 * Bins;

    public int Bytes => Channels * Height * Width;
}

/// <summary>
/// Everything one viewer page shows, collected frame by frame and written as a single self-contained HTML file
/// (docs/VIEWER.md): the page's HTML, CSS and JavaScript are embedded resources (<see cref="ViewerAssets"/>) and the
/// data is one JSON block inside it, so the file opens from disk with no network and nothing else next to it.
/// </summary>
public sealed class ViewerDocument
{
    /// <summary>Written into the page so a later page script can refuse data it does not understand.</summary>
    public const string Format = "eventssm-viewer/1";

    private readonly List<long> _times = [];
    private readonly List<string> _planes = [];
    private readonly SortedDictionary<int, string> _representation = [];
    private readonly List<(string Key, string Value)> _info = [];
    private IReadOnlyList<BoundingBox>[]? _predictions;
    private IReadOnlyList<BoundingBox>[]? _labels;
    private IReadOnlyList<BoundingBox>? _flatPredictions;
    private IReadOnlyList<BoundingBox>? _flatLabels;
    private long _planeBytes;
    private long _representationBytes;

    public ViewerDocument(string title, int width, int height, ViewerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Options = options ?? new ViewerOptions();
        Options.Validate();
        Title = title;
        Width = width;
        Height = height;
    }

    public string Title { get; }

    /// <summary>Width of the frames (pixels of the event image).</summary>
    public int Width { get; }

    public int Height { get; }

    public ViewerOptions Options { get; }

    /// <summary>Factor from box coordinates (sensor pixels) to frame pixels, e.g. 0.5 for a half-resolution histogram.</summary>
    public double BoxScale { get; set; } = 1.0;

    /// <summary>The recording's metrics, shown with <see cref="MetricsProtocol"/> (how they were computed).</summary>
    public DetectionMetrics? Metrics { get; set; }

    public string? MetricsProtocol { get; set; }

    public RepresentationLayout? Representation { get; private set; }

    public int FrameCount => _times.Count;

    /// <summary>Frames that carry representation bins (see <see cref="ViewerOptions.RepresentationBudgetBytes"/>).</summary>
    public IReadOnlyCollection<int> RepresentationFrames => _representation.Keys;

    /// <summary>Every stored frame ends at a multiple of this many frames (1 until the budget was reached).</summary>
    public int RepresentationStride { get; private set; } = 1;

    /// <summary>Page bytes (compressed, base64) of all event frames so far.</summary>
    public long PlaneBytes => _planeBytes;

    /// <summary>Page bytes (compressed, base64) of the representation bins kept so far.</summary>
    public long RepresentationBytes => _representationBytes;

    /// <summary>A line of the page's "source" table, e.g. ("recording", path).</summary>
    public void AddInfo(string key, string value) => _info.Add((key, value));

    /// <summary>Appends a frame: the window ending at <paramref name="endUs"/> as a polarity plane of Width×Height pixels.</summary>
    public void AddFrame(long endUs, ReadOnlySpan<byte> plane)
    {
        if (plane.Length != Width * Height)
        {
            throw new ArgumentException($"plane holds {plane.Length} pixels, the page is {Width}×{Height}", nameof(plane));
        }
        if (_times.Count > 0 && endUs <= _times[^1])
        {
            throw new ArgumentException($"frame at {endUs} µs does not follow the previous one at {_times[^1]} µs", nameof(endUs));
        }
        string encoded = Convert.ToBase64String(ViewerFrameCodec.EncodePlane(plane));
        _planeBytes += encoded.Length;
        _times.Add(endUs);
        _planes.Add(encoded);
    }

    /// <summary>Declares the representation's layout; must precede <see cref="AddRepresentation"/>.</summary>
    public void SetRepresentationLayout(RepresentationLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (Representation is not null && Representation != layout)
        {
            throw new InvalidOperationException("the representation layout is already set");
        }
        Representation = layout;
    }

    /// <summary>Whether frame <paramref name="frame"/> would keep its bins (so callers skip building the others).</summary>
    public bool WantsRepresentation(int frame) =>
        Representation is not null && Options.RepresentationBudgetBytes > 0 && frame % RepresentationStride == 0;

    /// <summary>
    /// Attaches the histogram (C, H, W) of frame <paramref name="frame"/>. When the budget is exceeded the stride
    /// doubles and the frames off the new stride are dropped, so the kept ones stay evenly spread.
    /// </summary>
    public void AddRepresentation(int frame, ReadOnlySpan<byte> histogram)
    {
        RepresentationLayout layout = Representation
            ?? throw new InvalidOperationException("set the representation layout first");
        if (histogram.Length != layout.Bytes)
        {
            throw new ArgumentException($"histogram holds {histogram.Length} bytes, expected {layout.Channels}×{layout.Height}×{layout.Width}", nameof(histogram));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        if (!WantsRepresentation(frame))
        {
            return;
        }
        string encoded = Convert.ToBase64String(ViewerFrameCodec.Compress(histogram));
        _representation[frame] = encoded;
        _representationBytes += encoded.Length;
        ThinRepresentation(Options.RepresentationBudgetBytes);
    }

    /// <summary>Doubles the stride (dropping the frames off it) until the bins take at most <paramref name="limit"/> bytes.</summary>
    private void ThinRepresentation(long limit)
    {
        while (_representationBytes > limit && _representation.Count > 1)
        {
            RepresentationStride *= 2;
            foreach (int k in _representation.Keys.Where(k => k % RepresentationStride != 0).ToArray())
            {
                _representationBytes -= _representation[k].Length;
                _representation.Remove(k);
            }
        }
        if (_representationBytes > limit)
        {
            _representationBytes = 0;
            _representation.Clear();
        }
    }

    /// <summary>Predictions, shown on the frame whose window end is the latest at or after their t (within one step).</summary>
    public void SetPredictions(IReadOnlyList<BoundingBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        _flatPredictions = boxes;
        _predictions = null;
    }

    /// <summary>Ground truth, assigned to frames as the predictions.</summary>
    public void SetLabels(IReadOnlyList<BoundingBox> boxes)
    {
        ArgumentNullException.ThrowIfNull(boxes);
        _flatLabels = boxes;
        _labels = null;
    }

    /// <summary>Ground truth given per frame (e.g. a preprocessed sequence's label frames at their representation index).</summary>
    public void SetLabels(IReadOnlyList<BoundingBox>[] perFrame)
    {
        ArgumentNullException.ThrowIfNull(perFrame);
        _labels = perFrame;
        _flatLabels = null;
    }

    /// <summary>
    /// Writes the page atomically and returns its size in bytes. The representation bins get what the rest of the page
    /// leaves of <see cref="ViewerOptions.PageBudgetBytes"/> (thinned as in <see cref="AddRepresentation"/>); frames
    /// and boxes are never dropped, so a page of a very busy recording may still be larger.
    /// </summary>
    public long Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (FrameCount == 0)
        {
            throw new InvalidOperationException($"{path}: the recording gave no frames to show");
        }
        string page = ViewerAssets.Page();
        const string dataMarker = "@DATA@";
        int at = page.IndexOf(dataMarker, StringComparison.Ordinal);
        string head = page[..at].Replace("@TITLE@", WebUtility.HtmlEncode(Title), StringComparison.Ordinal);
        string tail = page[(at + dataMarker.Length)..];
        long size = 0;
        AtomicFile.Write(path, stream =>
        {
            var utf8 = new UTF8Encoding(false);
            stream.Write(utf8.GetBytes(head));
            // The default encoder escapes <, > and &, so no string in the data can close the <script> element.
            byte[] tailBytes = utf8.GetBytes(tail);
            using (var json = new Utf8JsonWriter(stream))
            {
                WriteData(json);
                json.Flush();
                const long reprHeader = 512;
                ThinRepresentation(Math.Max(0, Options.PageBudgetBytes - stream.Length - tailBytes.Length - reprHeader));
                WriteRepresentation(json);
                json.WriteEndObject();
            }
            stream.Write(tailBytes);
            size = stream.Length;
        });
        return size;
    }

    /// <summary>Everything but the representation, which <see cref="Write"/> adds once it knows the room left.</summary>
    private void WriteData(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteString("title", Title);
        w.WriteStartArray("info");
        foreach ((string key, string value) in _info)
        {
            w.WriteStartArray();
            w.WriteStringValue(key);
            w.WriteStringValue(value);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteNumber("width", Width);
        w.WriteNumber("height", Height);
        w.WriteNumber("stepUs", Options.StepUs);
        w.WriteNumber("windowUs", Options.WindowUs);
        w.WriteString("coloring", Options.Coloring == EventColoring.Binary ? "binary" : "polarity");
        w.WriteStartObject("palettes");
        foreach (EventColoring c in Enum.GetValues<EventColoring>())
        {
            w.WriteStartArray(c == EventColoring.Binary ? "binary" : "polarity");
            foreach (Rgb rgb in EventFrames.Palette(c))
            {
                WriteRgb(w, rgb);
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteStartArray("classes");
        int classCount = Math.Max(Options.Classes.Names.Count, 1 + (int)MaxClass());
        for (uint k = 0; k < classCount; k++)
        {
            w.WriteStartObject();
            w.WriteString("name", Options.Classes.Name(k));
            w.WritePropertyName("color");
            WriteRgb(w, Options.Classes.Color(k));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("conf", Options.DisplayConfidence);
        w.WriteNumber("minConf", Options.MinStoredConfidence);
        w.WriteStartArray("times");
        foreach (long t in _times)
        {
            w.WriteNumberValue(t);
        }
        w.WriteEndArray();
        w.WriteStartArray("planes");
        foreach (string p in _planes)
        {
            WriteBase64(w, p);
        }
        w.WriteEndArray();
        WriteBoxes(w, "pred", _predictions ?? Assign(_flatPredictions), prediction: true);
        WriteBoxes(w, "gt", _labels ?? Assign(_flatLabels), prediction: false);
        WriteMetrics(w);
    }

    private uint MaxClass()
    {
        uint max = 0;
        foreach (IReadOnlyList<BoundingBox>? list in new[] { _flatPredictions, _flatLabels })
        {
            foreach (BoundingBox b in list ?? [])
            {
                max = Math.Max(max, b.ClassId);
            }
        }
        foreach (IReadOnlyList<BoundingBox> frame in (_labels ?? []).Concat(_predictions ?? []))
        {
            foreach (BoundingBox b in frame)
            {
                max = Math.Max(max, b.ClassId);
            }
        }
        return max;
    }

    private IReadOnlyList<BoundingBox>[]? Assign(IReadOnlyList<BoundingBox>? boxes)
    {
        if (boxes is null)
        {
            return null;
        }
        var timeline = new BoxTimeline(boxes);
        var perFrame = new IReadOnlyList<BoundingBox>[_times.Count];
        for (int i = 0; i < perFrame.Length; i++)
        {
            perFrame[i] = timeline.At(_times[i], Options.StepUs);
        }
        return perFrame;
    }

    /// <summary>Per frame a list of [x, y, w, h, class, score] in frame pixels (0.01 px, scores to 1e-4).</summary>
    private void WriteBoxes(Utf8JsonWriter w, string name, IReadOnlyList<BoundingBox>[]? perFrame, bool prediction)
    {
        if (perFrame is null)
        {
            w.WriteNull(name);
            return;
        }
        if (perFrame.Length != _times.Count)
        {
            throw new InvalidOperationException($"{name}: {perFrame.Length} frames of boxes for {_times.Count} frames");
        }
        w.WriteStartArray(name);
        foreach (IReadOnlyList<BoundingBox> frame in perFrame)
        {
            w.WriteStartArray();
            foreach (BoundingBox b in frame)
            {
                if (prediction && b.ClassConfidence < Options.MinStoredConfidence)
                {
                    continue;
                }
                w.WriteStartArray();
                w.WriteNumberValue(Math.Round(b.X * BoxScale, 2));
                w.WriteNumberValue(Math.Round(b.Y * BoxScale, 2));
                w.WriteNumberValue(Math.Round(b.W * BoxScale, 2));
                w.WriteNumberValue(Math.Round(b.H * BoxScale, 2));
                w.WriteNumberValue(b.ClassId);
                w.WriteNumberValue(Math.Round((double)b.ClassConfidence, 4));
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private void WriteMetrics(Utf8JsonWriter w)
    {
        if (Metrics is not { } m)
        {
            w.WriteNull("metrics");
            return;
        }
        w.WriteStartObject("metrics");
        w.WriteString("protocol", MetricsProtocol ?? "");
        w.WriteNumber("AP", m.AP);
        w.WriteNumber("AP50", m.AP50);
        w.WriteNumber("AP75", m.AP75);
        w.WriteNumber("APS", m.APSmall);
        w.WriteNumber("APM", m.APMedium);
        w.WriteNumber("APL", m.APLarge);
        w.WriteNumber("AR100", m.AR100);
        w.WriteStartObject("perClass");
        foreach ((string cls, double ap) in m.PerClassAP)
        {
            w.WriteNumber(cls, ap);
        }
        w.WriteEndObject();
        w.WriteNumber("images", m.Images);
        w.WriteNumber("gtBoxes", m.GroundTruthBoxes);
        w.WriteNumber("detections", m.Detections);
        w.WriteEndObject();
    }

    private void WriteRepresentation(Utf8JsonWriter w)
    {
        if (Representation is not { } r || _representation.Count == 0)
        {
            w.WriteNull("repr");
            return;
        }
        w.WriteStartObject("repr");
        w.WriteString("name", r.Name);
        w.WriteNumber("bins", r.Bins);
        w.WriteNumber("height", r.Height);
        w.WriteNumber("width", r.Width);
        w.WriteNumber("cutoff", r.CountCutoff);
        w.WriteNumber("stride", RepresentationStride);
        w.WriteStartArray("frames");
        foreach (int k in _representation.Keys)
        {
            w.WriteNumberValue(k);
        }
        w.WriteEndArray();
        w.WriteStartArray("data");
        foreach (string d in _representation.Values)
        {
            WriteBase64(w, d);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>
    /// A base64 string as is: the writer's HTML-safe encoder would turn every '+' into six characters, and base64 has
    /// no character that needs escaping in JSON or that could close the script element.
    /// </summary>
    private static void WriteBase64(Utf8JsonWriter w, string base64) => w.WriteRawValue("\"" + base64 + "\"", skipInputValidation: true);

    private static void WriteRgb(Utf8JsonWriter w, Rgb c)
    {
        w.WriteStartArray();
        w.WriteNumberValue(c.R);
        w.WriteNumberValue(c.G);
        w.WriteNumberValue(c.B);
        w.WriteEndArray();
    }
}
