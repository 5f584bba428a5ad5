using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Export;

/// <summary>
/// What every module emitter shares: the graph being built and the model's state dict (keys as the checkpoint's,
/// docs/MODEL.md §7), plus the primitive layers (Linear, LayerNorm, Conv2d, BatchNorm2d, GELU, SiLU) as ONNX nodes.
/// Weights are read from the state dict under the module's key prefix, so the graph holds exactly the parameters
/// the TorchSharp model runs with.
/// </summary>
internal sealed class OnnxEmitContext
{
    /// <summary>LayerNorm and BatchNorm eps of every norm in the model (docs/MODEL.md §1, §5).</summary>
    public const float NormEps = 1e-5f;

    private readonly IReadOnlyDictionary<string, Tensor> _weights;
    private readonly Dictionary<string, string> _initializers = new(StringComparer.Ordinal);

    public OnnxEmitContext(OnnxGraphBuilder builder, IReadOnlyDictionary<string, Tensor> weights)
    {
        Graph = builder;
        _weights = weights;
    }

    public OnnxGraphBuilder Graph { get; }

    /// <summary>The state-dict tensor <paramref name="key"/>; a missing key is an exporter bug or a foreign model.</summary>
    public Tensor Parameter(string key) =>
        _weights.TryGetValue(key, out Tensor? t) ? t : throw new InvalidOperationException($"the model has no parameter '{key}'");

    public bool HasParameter(string key) => _weights.ContainsKey(key);

    /// <summary>The parameter as an initializer (named after its state-dict key).</summary>
    public string Weight(string key)
    {
        if (!_initializers.TryGetValue(key, out string? name))
        {
            name = Graph.Weight(key, Parameter(key));
            _initializers[key] = name;
        }
        return name;
    }

    public string Node(string op, string[] inputs, params OnnxAttribute[] attributes) => Graph.Node(op, inputs, attributes);

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Graph.Int64s(shape)]);

    public string Transpose(string x, params long[] perm) => Node("Transpose", [x], OnnxAttribute.Of("perm", perm));

    /// <summary>Splits <paramref name="x"/> along <paramref name="axis"/> into parts of the given sizes.</summary>
    public string[] Split(string x, long axis, params long[] sizes) =>
        Graph.Node("Split", [x, Graph.Int64s(sizes)], sizes.Length, OnnxAttribute.Of("axis", axis));

    public string Concat(long axis, params string[] inputs) => Node("Concat", inputs, OnnxAttribute.Of("axis", axis));

    /// <summary>nn.Linear on the last axis: x·Wᵀ (+ b), with Wᵀ stored pre-transposed (in, out).</summary>
    public string Linear(string x, string prefix, bool bias = true) => Linear(x, prefix, bias, outputScale: null);

    /// <summary>
    /// nn.Linear whose output channels are multiplied by the parameter <paramref name="outputScale"/> (a LayerScale γ)
    /// when it is given and present: folded into the weight rows and the bias as the TorchSharp forward folds it
    /// (docs/MODEL.md §11.1), so the graph has no separate Mul.
    /// </summary>
    public string Linear(string x, string prefix, bool bias, string? outputScale)
    {
        Tensor w = Parameter(prefix + ".weight");
        if (outputScale is null || !HasParameter(outputScale))
        {
            string wt = Graph.Weight(prefix + ".weight_t", w.t());
            string y = Node("MatMul", [x, wt]);
            return bias ? Add(y, Weight(prefix + ".bias")) : y;
        }
        (Tensor scaled, Tensor? scaledBias) = TokenLinear.ScaleOutputs(w, bias ? Parameter(prefix + ".bias") : null, Parameter(outputScale));
        using (scaled)
        using (scaledBias)
        {
            string y2 = Node("MatMul", [x, Graph.Weight(prefix + ".weight_t_scaled", scaled.t())]);
            return scaledBias is null ? y2 : Add(y2, Graph.Weight(prefix + ".bias_scaled", scaledBias));
        }
    }

    /// <summary>nn.LayerNorm over the last axis (opset 17 LayerNormalization).</summary>
    public string LayerNorm(string x, string prefix) =>
        Node("LayerNormalization", [x, Weight(prefix + ".weight"), Weight(prefix + ".bias")],
            OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", NormEps));

    /// <summary>nn.Conv2d with square kernel k, stride s, symmetric padding p and optional groups; bias when present.</summary>
    public string Conv(string x, string prefix, long stride, long padding, long groups = 1)
    {
        Tensor w = Parameter(prefix + ".weight");
        long k = w.shape[2];
        var inputs = new List<string> { x, Weight(prefix + ".weight") };
        if (HasParameter(prefix + ".bias"))
        {
            inputs.Add(Weight(prefix + ".bias"));
        }
        return Node("Conv", [.. inputs],
            OnnxAttribute.Of("kernel_shape", k, w.shape[3]),
            OnnxAttribute.Of("strides", stride, stride),
            OnnxAttribute.Of("pads", padding, padding, padding, padding),
            OnnxAttribute.Of("group", groups));
    }

    /// <summary>nn.BatchNorm2d in eval mode (running statistics).</summary>
    public string BatchNorm(string x, string prefix) =>
        Node("BatchNormalization",
            [x, Weight(prefix + ".weight"), Weight(prefix + ".bias"), Weight(prefix + ".running_mean"), Weight(prefix + ".running_var")],
            OnnxAttribute.Of("epsilon", NormEps));

    /// <summary>Exact (erf) GELU: x·½(1 + erf(x/√2)), the form ONNX Runtime fuses into one Gelu kernel.</summary>
    public string Gelu(string x)
    {
        string erf = Node("Erf", [Node("Div", [x, Graph.Scalar("sqrt2", MathF.Sqrt(2f))])]);
        string onePlus = Add(erf, Graph.Scalar("one", 1f));
        return Mul(Mul(x, onePlus), Graph.Scalar("half", 0.5f));
    }

    public string Silu(string x) => Mul(x, Node("Sigmoid", [x]));
}
