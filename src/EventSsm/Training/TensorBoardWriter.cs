using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using EventSsm.Rendering;
using Google.Protobuf;
using Tensorboard;

namespace EventSsm.Training;

/// <summary>One class's precision–recall curve: points in order of increasing score threshold (recall falling).</summary>
public sealed record PrCurve(IReadOnlyList<double> Precision, IReadOnlyList<double> Recall, IReadOnlyList<double> Thresholds, int GroundTruth);

/// <summary>
/// A TensorBoard event file (docs/VIEWER.md, "TensorBoard"): TFRecord framing (length, masked CRC32C of the length,
/// the serialized <c>Event</c>, masked CRC32C of it) around the <c>Event</c>/<c>Summary</c> protobuf types TorchSharp
/// ships. TorchSharp's own SummaryWriter writes scalars, images and text but no PR curves and no raw summaries, and a
/// second writer in the same folder would not be read live (TensorBoard's directory watcher follows only the newest
/// file), so this one writer writes everything. Every record is flushed, so a killed run leaves a readable file.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private static int s_files;

    private readonly FileStream _file;

    public TensorBoardWriter(string directory)
    {
        Directory.CreateDirectory(directory);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // One new file per writer (a resumed run adds one); TensorBoard reads the folder's files in name order.
        int serial = Interlocked.Increment(ref s_files);
        string name = string.Create(CultureInfo.InvariantCulture,
            $"events.out.tfevents.{now:D10}.{Environment.MachineName}.{Environment.ProcessId}.{serial}.eventssm");
        Path = System.IO.Path.Combine(directory, name);
        _file = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        Write(new Event { WallTime = WallTime(), FileVersion = "brain.Event:2" });
    }

    public string Path { get; }

    public void AddScalar(string tag, double value, long step) =>
        Add(step, new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });

    /// <summary>An image summary (PNG), as TensorBoard's Images tab shows it.</summary>
    public void AddImage(string tag, RgbImage image, long step)
    {
        ArgumentNullException.ThrowIfNull(image);
        Add(step, new Summary.Types.Value
        {
            Tag = tag,
            Image = new Summary.Types.Image
            {
                Height = image.Height,
                Width = image.Width,
                Colorspace = 3,
                EncodedImageString = ByteString.CopyFrom(PngFile.Encode(image)),
            },
        });
    }

    /// <summary>Markdown text for TensorBoard's Text tab (the "text" plugin: a string tensor).</summary>
    public void AddText(string tag, string markdown, long step)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto() };
        tensor.StringVal.Add(ByteString.CopyFromUtf8(markdown));
        Add(step, new Summary.Types.Value { Tag = tag, Metadata = Plugin("text", ByteString.Empty), Tensor = tensor });
    }

    /// <summary>
    /// A curve for TensorBoard's PR Curves tab (the "pr_curves" plugin): a float tensor of shape (6, N) holding, per
    /// point, true positives, false positives, true negatives, false negatives, precision and recall. Counts are
    /// derived from recall, precision and the class's ground-truth count (TN is 0: detection has no negatives).
    /// </summary>
    public void AddPrCurve(string tag, PrCurve curve, long step)
    {
        ArgumentNullException.ThrowIfNull(curve);
        int n = curve.Precision.Count;
        if (n == 0 || curve.Recall.Count != n || curve.Thresholds.Count != n)
        {
            throw new ArgumentException($"{tag}: a PR curve needs equally many precision, recall and threshold values (got {curve.Precision.Count}, {curve.Recall.Count}, {curve.Thresholds.Count})");
        }
        var data = new float[6 * n];
        for (int i = 0; i < n; i++)
        {
            double p = curve.Precision[i];
            double r = curve.Recall[i];
            double tp = r * curve.GroundTruth;
            data[i] = (float)tp;
            data[n + i] = (float)(p > 0 ? tp / p - tp : 0);
            data[2 * n + i] = 0;
            data[3 * n + i] = (float)(curve.GroundTruth - tp);
            data[4 * n + i] = (float)p;
            data[5 * n + i] = (float)r;
        }
        byte[] content = new byte[4 * data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(content.AsSpan(4 * i), data[i]);
        }
        var tensor = new TensorProto
        {
            Dtype = DataType.DtFloat,
            TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 6 }, new TensorShapeProto.Types.Dim { Size = n } } },
            TensorContent = ByteString.CopyFrom(content),
        };
        // PrCurvePluginData { version = 0 (field 1, default, not written), num_thresholds = n (field 2, varint) }.
        using var pluginData = new MemoryStream();
        var coded = new CodedOutputStream(pluginData);
        coded.WriteTag(2, WireFormat.WireType.Varint);
        coded.WriteUInt32((uint)n);
        coded.Flush();
        Add(step, new Summary.Types.Value { Tag = tag, Metadata = Plugin("pr_curves", ByteString.CopyFrom(pluginData.ToArray())), Tensor = tensor });
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The masked CRC32C of TFRecord: ((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8.</summary>
    internal static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }
        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static SummaryMetadata Plugin(string name, ByteString content) =>
        new() { PluginData = new SummaryMetadata.Types.PluginData { PluginName = name, Content = content } };

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void Add(long step, Summary.Types.Value value) =>
        Write(new Event { WallTime = WallTime(), Step = step, Summary = new Summary { Value = { value } } });

    private void Write(Event e)
    {
        byte[] data = e.ToByteArray();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        lock (_file)
        {
            _file.Write(header);
            _file.Write(data);
            _file.Write(footer);
            _file.Flush();
        }
    }
}
