using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace EventSsm.Onnx;

/// <summary>What an exported EventSsm graph declares about itself (<see cref="OnnxContract"/> metadata).</summary>
public sealed record OnnxModelInfo
{
    public required string Path { get; init; }

    /// <summary>Chunk graph (L windows per call) rather than stream graph (one window per call).</summary>
    public required bool Chunk { get; init; }

    /// <summary>L of a chunk graph; 1 for a stream graph.</summary>
    public required int Length { get; init; }

    /// <summary>Output 0 is Prophesee box rows (<see cref="OnnxContract.BoxesOutput"/>) instead of head predictions.</summary>
    public required bool Nms { get; init; }

    /// <summary>Representation height fed to input 0 (sensor height, halved for a downsampled gen4 input).</summary>
    public required int InputHeight { get; init; }

    public required int InputWidth { get; init; }

    /// <summary>The padded size the network runs at (a multiple of 32).</summary>
    public required int ModelHeight { get; init; }

    public required int ModelWidth { get; init; }

    public required int SensorHeight { get; init; }

    public required int SensorWidth { get; init; }

    /// <summary>The input is the 2× nearest-exact downsampled sensor histogram (gen4); boxes scale back by 2.</summary>
    public required bool Downsample { get; init; }

    public required int Channels { get; init; }

    public required int NumClasses { get; init; }

    public required int Anchors { get; init; }

    /// <summary>Per stage, the state's (channels, h, w); batch is the first axis of each state tensor.</summary>
    public required (int C, int H, int W)[] StateShapes { get; init; }

    /// <summary><c>carry</c> (stream graphs, chunk graphs of carry checkpoints) or <c>reference</c>.</summary>
    public required string StateMode { get; init; }

    public required double StepScale { get; init; }

    public required string Mask { get; init; }

    public required string Dataset { get; init; }

    /// <summary>The config's <c>dataset.ev_repr_name</c>, e.g. <c>stacked_histogram_dt=50_nbins=10</c>.</summary>
    public required string Representation { get; init; }

    public required double ConfidenceThreshold { get; init; }

    public required double NmsThreshold { get; init; }

    /// <summary>Factor from model-input pixels to sensor pixels.</summary>
    public float BoxScale => Downsample ? 2f : 1f;

    /// <summary>Reads and checks the metadata and the declared inputs/outputs of a loaded session.</summary>
    internal static OnnxModelInfo FromSession(string path, InferenceSession session)
    {
        Dictionary<string, string> meta = session.ModelMetadata.CustomMetadataMap;
        if (session.ModelMetadata.ProducerName != OnnxContract.Producer || !meta.TryGetValue(OnnxContract.ContractKey, out string? version))
        {
            throw new OnnxModelException(path,
                $"not an EventSsm detector graph (producer '{session.ModelMetadata.ProducerName}', no '{OnnxContract.ContractKey}' metadata); export one with `eventssm export CHECKPOINT --format onnx`");
        }
        if (version != OnnxContract.Version)
        {
            throw new OnnxModelException(path, $"graph contract version {version}, this runtime reads version {OnnxContract.Version}");
        }
        string Get(string key) => meta.TryGetValue(key, out string? v)
            ? v
            : throw new OnnxModelException(path, $"metadata key '{key}' is missing");
        (int, int) Pair(string key)
        {
            int[] v = Ints(Get(key), key);
            return v.Length == 2 ? (v[0], v[1]) : throw new OnnxModelException(path, $"metadata '{key}' = '{Get(key)}', expected two integers");
        }
        int[] Ints(string s, string key)
        {
            try
            {
                return [.. s.Split(',').Select(p => int.Parse(p, NumberStyles.Integer, CultureInfo.InvariantCulture))];
            }
            catch (FormatException)
            {
                throw new OnnxModelException(path, $"metadata '{key}' = '{s}', expected integers");
            }
        }
        double Number(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? d
            : throw new OnnxModelException(path, $"metadata '{key}' = '{Get(key)}', expected a number");

        (int inH, int inW) = Pair(OnnxContract.InputHwKey);
        (int mH, int mW) = Pair(OnnxContract.ModelHwKey);
        (int sH, int sW) = Pair(OnnxContract.SensorHwKey);
        (int C, int H, int W)[] states = [.. Get(OnnxContract.StateShapesKey).Split(';').Select(s =>
        {
            int[] v = Ints(s, OnnxContract.StateShapesKey);
            return v.Length == 3 ? (v[0], v[1], v[2]) : throw new OnnxModelException(path, $"metadata '{OnnxContract.StateShapesKey}' has a bad entry '{s}'");
        })];
        var info = new OnnxModelInfo
        {
            Path = path,
            Chunk = Get(OnnxContract.ModeKey) == "chunk",
            Length = Ints(Get(OnnxContract.LengthKey), OnnxContract.LengthKey)[0],
            Nms = Get(OnnxContract.NmsKey) == "true",
            InputHeight = inH,
            InputWidth = inW,
            ModelHeight = mH,
            ModelWidth = mW,
            SensorHeight = sH,
            SensorWidth = sW,
            Downsample = Get(OnnxContract.DownsampleKey) == "true",
            Channels = Ints(Get(OnnxContract.ChannelsKey), OnnxContract.ChannelsKey)[0],
            NumClasses = Ints(Get(OnnxContract.NumClassesKey), OnnxContract.NumClassesKey)[0],
            Anchors = Ints(Get(OnnxContract.AnchorsKey), OnnxContract.AnchorsKey)[0],
            StateShapes = states,
            StateMode = Get(OnnxContract.StateModeKey),
            StepScale = Number(OnnxContract.StepScaleKey),
            Mask = Get(OnnxContract.MaskKey),
            Dataset = Get(OnnxContract.DatasetKey),
            Representation = Get(OnnxContract.RepresentationKey),
            ConfidenceThreshold = Number(OnnxContract.ConfidenceKey),
            NmsThreshold = Number(OnnxContract.NmsThresholdKey),
        };
        info.CheckSignature(session);
        return info;
    }

    /// <summary>The declared inputs and outputs must be the contract's, with the shapes the metadata states.</summary>
    private void CheckSignature(InferenceSession session)
    {
        string input = Chunk ? OnnxContract.ChunkInput : OnnxContract.WindowInput;
        long[] inputShape = Chunk ? [Length, -1, Channels, InputHeight, InputWidth] : [-1, Channels, InputHeight, InputWidth];
        Expect(session.InputMetadata, input, inputShape, "input");
        for (int i = 0; i < StateShapes.Length; i++)
        {
            (int c, int h, int w) = StateShapes[i];
            Expect(session.InputMetadata, OnnxContract.StateInput(i), [-1, c, h, w], "input");
            Expect(session.OutputMetadata, OnnxContract.StateOutput(i), [-1, c, h, w], "output");
        }
        if (Nms)
        {
            Expect(session.OutputMetadata, OnnxContract.BoxesOutput, [-1, OnnxContract.BoxColumns], "output");
        }
        else
        {
            Expect(session.OutputMetadata, OnnxContract.HeadOutput, [-1, Anchors, 5 + NumClasses], "output");
        }
    }

    private void Expect(IReadOnlyDictionary<string, NodeMetadata> declared, string name, long[] shape, string what)
    {
        if (!declared.TryGetValue(name, out NodeMetadata? m))
        {
            throw new OnnxModelException(Path, $"graph has no {what} '{name}' (has {string.Join(", ", declared.Keys)})");
        }
        long[] actual = [.. m.Dimensions.Select(d => (long)d)];
        if (m.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float || !actual.SequenceEqual(shape))
        {
            throw new OnnxModelException(Path,
                $"{what} '{name}' is {m.ElementDataType} ({Shape(actual)}), expected Float ({Shape(shape)})");
        }
    }

    internal static string Shape(IEnumerable<long> dims) => string.Join(", ", dims.Select(d => d < 0 ? "B" : d.ToString(CultureInfo.InvariantCulture)));
}
