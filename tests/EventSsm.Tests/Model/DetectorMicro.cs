using System.Text.Json;
using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model;

/// <summary>The golden micro detector (tests/fixtures/golden/detector_micro): config, weights, inputs.</summary>
internal static class DetectorMicro
{
    private static readonly Lazy<Dictionary<string, Tensor>> s_weights =
        new(() => NpyTensor.ReadNpzTensors(File("weights.npz"))
            // Shared by every test: keep them out of whichever test's dispose scope happens to load them.
            .ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope(), StringComparer.Ordinal));

    private static readonly Lazy<JsonElement> s_dims =
        new(() => JsonDocument.Parse(System.IO.File.ReadAllText(File("config.json"))).RootElement.GetProperty("dims"));

    public static string File(string name) => Fixtures.DetectorMicro.File(name);

    public static JsonElement Dims => s_dims.Value;

    public static int NumClasses => Dims.GetProperty("num_classes").GetInt32();

    public static double ConfidenceThreshold => Dims.GetProperty("postprocess").GetProperty("confidence_threshold").GetDouble();

    public static double NmsThreshold => Dims.GetProperty("postprocess").GetProperty("nms_threshold").GetDouble();

    public static FpnOptions FpnOptions => new(
        Dims.GetProperty("fpn_depth").GetDouble(),
        Dims.GetProperty("fpn_in_stages").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        Dims.GetProperty("fpn_in_channels").EnumerateArray().Select(e => e.GetInt64()).ToArray());

    public static HeadOptions HeadOptions => new(
        NumClasses,
        Dims.GetProperty("head_strides").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
        Dims.GetProperty("fpn_in_channels").EnumerateArray().Select(e => e.GetInt64()).ToArray());

    /// <summary>The state-dict entries under <paramref name="prefix"/>, prefix stripped.</summary>
    public static Dictionary<string, Tensor> Weights(string prefix) =>
        s_weights.Value.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    public static YoloPafpn LoadFpn()
    {
        var fpn = new YoloPafpn(FpnOptions);
        LoadExact(fpn, Weights("mdl.fpn."));
        return fpn;
    }

    public static YoloXHead LoadHead()
    {
        var head = new YoloXHead(HeadOptions);
        LoadExact(head, Weights("mdl.yolox_head."));
        return head;
    }

    /// <summary>Per-frame FPN inputs of a golden run: stages 2..4, (L, B, C, h, w) → (L·B, C, h, w), frame t·B + b.</summary>
    public static Tensor[] BackboneFeatures(string run) =>
        [.. new[] { 2, 3, 4 }.Select(s => Frames(NpyTensor.ReadTensor(File($"{run}_backbone_stage{s}.npy"))))];

    public static Tensor Frames(Tensor x) => x.reshape([x.shape[0] * x.shape[1], .. x.shape[2..]]);

    private static void LoadExact(nn.Module module, Dictionary<string, Tensor> sd)
    {
        (IList<string> missing, IList<string> unexpected) = module.load_state_dict(sd, strict: false);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        Assert.Equal(sd.Keys.Order(StringComparer.Ordinal), module.state_dict().Keys.Order(StringComparer.Ordinal));
    }
}
