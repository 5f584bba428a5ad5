using Microsoft.ML.OnnxRuntime;

namespace EventSsm.Onnx;

/// <summary>
/// An exported EventSsm graph in ONNX Runtime with its recurrent state: each <see cref="Run"/> feeds input 0 and the
/// states held here, and keeps the new states for the next call (<see cref="OnnxContract"/>). Zero states start a
/// sequence (<see cref="Reset"/>). Inputs, the head output and the states are managed arrays bound to ONNX Runtime
/// without copies; the state buffers are double-buffered and swapped after every call.
/// </summary>
public sealed class OnnxDetector : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputName;
    private readonly string _outputName;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private StateBuffers? _current;
    private StateBuffers? _next;
    private float[] _output = [];
    private OrtValue? _outputValue;

    private OnnxDetector(InferenceSession session, OnnxModelInfo info)
    {
        _session = session;
        Info = info;
        _inputName = info.Chunk ? OnnxContract.ChunkInput : OnnxContract.WindowInput;
        _outputName = info.Nms ? OnnxContract.BoxesOutput : OnnxContract.HeadOutput;
        _inputNames = [_inputName, .. Enumerable.Range(0, info.StateShapes.Length).Select(OnnxContract.StateInput)];
        _outputNames = [_outputName, .. Enumerable.Range(0, info.StateShapes.Length).Select(OnnxContract.StateOutput)];
    }

    /// <summary>What the graph declares about itself (sizes, thresholds, state shapes).</summary>
    public OnnxModelInfo Info { get; }

    /// <summary>Frames per call and batch element: L for a chunk graph, 1 for a stream graph.</summary>
    public int FramesPerCall => Info.Chunk ? Info.Length : 1;

    /// <summary>The batch size of the states held now (0 before the first call or after <see cref="Reset"/>).</summary>
    public int Batch => _current?.Batch ?? 0;

    /// <summary>
    /// Loads <paramref name="path"/>, checks that it is an EventSsm graph of a contract version this runtime reads, and
    /// prepares a session (all graph optimisations, <paramref name="settings"/>' threads and device).
    /// </summary>
    public static OnnxDetector Open(string path, OnnxSessionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        settings ??= new OnnxSessionSettings();
        settings.Validate();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: ONNX model not found", path);
        }
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = settings.Threads,
            InterOpNumThreads = 1,
        };
        if (!settings.AllowSpinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }
        if (settings.Device == OnnxDevice.Cuda)
        {
            CudaProvider.Append(options, settings.DeviceId);
        }
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(path, $"ONNX Runtime cannot load it: {FirstLine(e.Message)}", e);
        }
        try
        {
            return new OnnxDetector(session, OnnxModelInfo.FromSession(path, session));
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One call of the graph: <paramref name="input"/> is input 0, row-major, of shape (B, C, H, W) for a stream graph
    /// or (L, B, C, H, W) for a chunk graph, at <see cref="OnnxModelInfo.InputHeight"/> × <see cref="OnnxModelInfo.InputWidth"/>.
    /// Returns output 0: head predictions (F, anchors, 5 + classes) flattened, F = L·B frames t·B + b, or for an NMS
    /// graph the (K, 7) box rows. The state carried from the previous call is used and replaced; a batch size that
    /// differs from the previous call's starts from zero states.
    /// </summary>
    public float[] Run(float[] input, ReadOnlySpan<long> shape)
    {
        ArgumentNullException.ThrowIfNull(input);
        int batch = CheckInput(input, shape);
        if (_current is null || _current.Batch != batch)
        {
            Reset();
            _current = new StateBuffers(Info.StateShapes, batch);
            _next = new StateBuffers(Info.StateShapes, batch);
        }
        using OrtValue inputValue = OrtValue.CreateTensorValueFromMemory(input, shape.ToArray());
        OrtValue[] inputs = [inputValue, .. _current.Values];
        float[] result;
        if (Info.Nms)
        {
            // The number of boxes is known only after the run: ONNX Runtime allocates output 0, the states go to our buffers.
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
            result = outputs.First().GetTensorDataAsSpan<float>().ToArray();
            int stage = 0;
            foreach (OrtValue state in outputs.Skip(1))
            {
                state.GetTensorDataAsSpan<float>().CopyTo(_next!.Data[stage++]);
            }
        }
        else
        {
            long frames = (long)batch * FramesPerCall;
            long size = frames * Info.Anchors * (5 + Info.NumClasses);
            if (_output.Length != size)
            {
                _outputValue?.Dispose();
                _output = new float[size];
                _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [frames, Info.Anchors, 5 + Info.NumClasses]);
            }
            _session.Run(_runOptions, _inputNames, inputs, _outputNames, [_outputValue!, .. _next!.Values]);
            result = (float[])_output.Clone();
        }
        (_current, _next) = (_next!, _current);
        return result;
    }

    /// <summary>One window (C, H, W) of a batch-1 stream graph; see <see cref="Run(float[], ReadOnlySpan{long})"/>.</summary>
    public float[] Step(float[] window) => Run(window, [1, Info.Channels, Info.InputHeight, Info.InputWidth]);

    /// <summary>Copies of the current states, stage by stage ((B, C, h, w) flattened), or null before the first call.</summary>
    public float[][]? States => _current?.Data.Select(d => (float[])d.Clone()).ToArray();

    /// <summary>Forgets the states: the next call starts a sequence from zeros.</summary>
    public void Reset()
    {
        _current?.Dispose();
        _next?.Dispose();
        _current = null;
        _next = null;
    }

    /// <summary>Releases the session and the carried states.</summary>
    public void Dispose()
    {
        Reset();
        _outputValue?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private int CheckInput(float[] input, ReadOnlySpan<long> shape)
    {
        long[] expected = Info.Chunk
            ? [Info.Length, -1, Info.Channels, Info.InputHeight, Info.InputWidth]
            : [-1, Info.Channels, Info.InputHeight, Info.InputWidth];
        bool ok = shape.Length == expected.Length;
        for (int i = 0; ok && i < shape.Length; i++)
        {
            ok = expected[i] < 0 ? shape[i] >= 1 : shape[i] == expected[i];
        }
        if (!ok)
        {
            throw new OnnxModelException(Info.Path,
                $"input '{_inputName}' is ({OnnxModelInfo.Shape(shape.ToArray())}), expected ({OnnxModelInfo.Shape(expected)})");
        }
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }
        if (input.LongLength != count)
        {
            throw new ArgumentException($"input has {input.LongLength} values, its shape ({OnnxModelInfo.Shape(shape.ToArray())}) needs {count}", nameof(input));
        }
        return (int)shape[Info.Chunk ? 1 : 0];
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    /// <summary>One set of per-stage state arrays (zeros when created) and the ONNX Runtime values that wrap them.</summary>
    private sealed class StateBuffers : IDisposable
    {
        public StateBuffers((int C, int H, int W)[] shapes, int batch)
        {
            Batch = batch;
            Data = [.. shapes.Select(s => new float[(long)batch * s.C * s.H * s.W])];
            Values = [.. shapes.Select((s, i) => OrtValue.CreateTensorValueFromMemory(Data[i], [batch, s.C, s.H, s.W]))];
        }

        public int Batch { get; }

        public float[][] Data { get; }

        public OrtValue[] Values { get; }

        public void Dispose()
        {
            foreach (OrtValue v in Values)
            {
                v.Dispose();
            }
        }
    }
}
