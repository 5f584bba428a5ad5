using System.Runtime.InteropServices;
using EventSsm.Export.Proto;
using Google.Protobuf;
using static TorchSharp.torch;

namespace EventSsm.Export;

/// <summary>
/// Appends ONNX nodes and initializers to a <see cref="GraphProto"/> in execution order, so the node list is
/// topologically sorted by construction. Every value gets a unique name inside the current scope
/// (<c>backbone.stages.0.s5_block/MatMul_2</c>); integer constants (shapes, axes) are shared initializers.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private readonly Stack<string> _scopes = new();

    public OnnxGraphBuilder(string name)
    {
        _graph = new GraphProto { Name = name };
    }

    public GraphProto Graph => _graph;

    /// <summary>Prefixes node names with <paramref name="name"/> (a module's key path) until the scope is disposed.</summary>
    public IDisposable Scope(string name)
    {
        _scopes.Push(name);
        return new PopScope(_scopes);
    }

    /// <summary>Declares a float32 graph input; a null dimension is symbolic (<paramref name="symbolicName"/>).</summary>
    public string Input(string name, long?[] dims, string symbolicName = "batch")
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, dims, symbolicName));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output named <paramref name="name"/> (an Identity renames it).</summary>
    public void Output(string value, string name, long?[] dims, string symbolicName = "batch", TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        Claim(name);
        _graph.Node.Add(new NodeProto { OpType = "Identity", Name = Unique($"output/{name}"), Input = { value }, Output = { name } });
        _graph.Output.Add(ValueInfo(name, dims, symbolicName, type));
    }

    /// <summary>A float32 initializer holding a copy of <paramref name="tensor"/> (any float dtype, any device).</summary>
    public string Weight(string name, Tensor tensor)
    {
        using Tensor host = tensor.detach().to(float32).cpu().contiguous();
        float[] data = host.data<float>().ToArray();
        return Weight(name, data, host.shape);
    }

    public string Weight(string name, float[] data, long[] dims)
    {
        string full = Unique(name);
        Claim(full);
        var t = new TensorProto { Name = full, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data.AsSpan()));
        _graph.Initializer.Add(t);
        return full;
    }

    /// <summary>A shared float32 constant of shape (1), e.g. a scale factor (broadcasts in elementwise ops).</summary>
    public string Scalar(string name, float value)
    {
        string key = $"f32:{BitConverter.SingleToInt32Bits(value)}";
        if (!_constants.TryGetValue(key, out string? existing))
        {
            existing = Weight(name, [value], [1]);
            _constants[key] = existing;
        }
        return existing;
    }

    /// <summary>A shared 1-D int64 constant (shapes, axes, split sizes, pads).</summary>
    public string Int64s(params long[] values)
    {
        string key = string.Join(",", values);
        if (_constants.TryGetValue(key, out string? existing))
        {
            return existing;
        }
        string name = Unique($"const_i64[{key}]");
        Claim(name);
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        _constants[key] = name;
        return name;
    }

    /// <summary>Appends a node with one output and returns the output's name.</summary>
    public string Node(string op, string[] inputs, params OnnxAttribute[] attributes) => Node(op, inputs, 1, attributes)[0];

    /// <summary>Appends a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Node(string op, string[] inputs, int outputs, params OnnxAttribute[] attributes)
    {
        string nodeName = Unique(Scoped(op));
        var node = new NodeProto { OpType = op, Name = nodeName };
        node.Input.AddRange(inputs);
        // Node and value names are separate namespaces in ONNX; values are named after their node.
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++)
        {
            names[i] = outputs == 1 ? nodeName : $"{nodeName}:{i}";
            Claim(names[i]);
        }
        node.Output.AddRange(names);
        foreach (OnnxAttribute a in attributes)
        {
            node.Attribute.Add(a.ToProto());
        }
        _graph.Node.Add(node);
        return names;
    }

    private string Scoped(string name) => _scopes.Count == 0 ? name : $"{_scopes.Peek()}/{name}";

    /// <summary>A node name not used before (also free as a value name, so the node's outputs can take it).</summary>
    private string Unique(string baseName)
    {
        if (!_names.Contains(baseName) && _nodeNames.Add(baseName))
        {
            return baseName;
        }
        for (int i = 1; ; i++)
        {
            string candidate = $"{baseName}_{i}";
            if (!_names.Contains(candidate) && _nodeNames.Add(candidate))
            {
                return candidate;
            }
        }
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"ONNX value name '{name}' is used twice");
        }
    }

    private static ValueInfoProto ValueInfo(string name, long?[] dims, string symbolicName,
        TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        foreach (long? d in dims)
        {
            shape.Dim.Add(d is long v ? new TensorShapeProto.Types.Dimension { DimValue = v } : new TensorShapeProto.Types.Dimension { DimParam = symbolicName });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private sealed class PopScope(Stack<string> scopes) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                scopes.Pop();
                _disposed = true;
            }
        }
    }
}
