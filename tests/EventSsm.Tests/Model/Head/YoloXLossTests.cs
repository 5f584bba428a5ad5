using System.Text.Json;
using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Head;

/// <summary>
/// The golden training step (detector_micro, README "Training mode"): FPN + head in train mode (BatchNorm on the
/// 6-frame batch statistics) on the chunk-1 backbone features, the loss against train_targets, one backward.
/// </summary>
public sealed class YoloXLossTests
{
    [Fact]
    public void Losses_MatchGolden()
    {
        using var step = new TrainStep();
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(DetectorMicro.File("losses.json")));
        JsonElement golden = doc.RootElement;
        AssertRelative(golden.GetProperty("total").GetDouble(), step.Losses.Total.item<float>(), "total");
        AssertRelative(golden.GetProperty("iou").GetDouble(), step.Losses.Iou.item<float>(), "iou");
        AssertRelative(golden.GetProperty("conf").GetDouble(), step.Losses.Conf.item<float>(), "conf");
        AssertRelative(golden.GetProperty("cls").GetDouble(), step.Losses.Cls.item<float>(), "cls");
        Assert.Equal(golden.GetProperty("l1").GetDouble(), step.Losses.L1);
        Assert.Equal(golden.GetProperty("num_fg").GetDouble(), step.Losses.NumFg);
    }

    [Fact]
    public void SimOtaAssignments_MatchGolden()
    {
        using var step = new TrainStep();
        long[] golden = NpyFile.Read(DetectorMicro.File("train_assignments.npy")).ToArray<long>();
        float[] goldenIous = NpyFile.Read(DetectorMicro.File("train_assignment_ious.npy")).ToArray<float>();
        var actual = new List<long>();
        var actualIous = new List<float>();
        for (int f = 0; f < step.Losses.Assignments.Count; f++)
        {
            SimOtaAssignment a = step.Losses.Assignments[f];
            for (int i = 0; i < a.NumForeground; i++)
            {
                actual.AddRange([f, a.AnchorIndices[i], a.MatchedGt[i], a.MatchedClasses[i]]);
                actualIous.Add(a.Ious[i]);
            }
        }
        Assert.Equal(golden, actual);
        Assert.Equal(goldenIous.Length, actualIous.Count);
        for (int i = 0; i < goldenIous.Length; i++)
        {
            Assert.True(Math.Abs(goldenIous[i] - actualIous[i]) <= 1e-5, $"IoU {i}: {actualIous[i]} vs {goldenIous[i]}");
        }
    }

    [Fact]
    public void TrainModeHeadOutputs_MatchGolden()
    {
        using var step = new TrainStep();
        using Tensor expected = NpyTensor.ReadTensor(DetectorMicro.File("train_head_outputs.npy"));
        TensorAssert.Close(expected, step.Outputs.Decoded, abs: 2e-4, rel: 2e-4, what: "train head outputs");
    }

    [Fact]
    public void BatchNormRunningStats_AfterTrainForward_MatchGolden()
    {
        using var step = new TrainStep();
        Dictionary<string, Tensor> golden = NpyTensor.ReadNpzTensors(DetectorMicro.File("train_bn_running_stats_after.npz"));
        Dictionary<string, Tensor> actual = step.NamedState();
        foreach ((string key, Tensor expected) in golden)
        {
            TensorAssert.Close(expected, actual[key], abs: 1e-5, rel: 1e-5, what: key);
            expected.Dispose();
        }
    }

    [Fact]
    public void Gradients_OfFpnAndHeadParameters_MatchGolden()
    {
        using var step = new TrainStep();
        step.Losses.Total.backward();
        Dictionary<string, Tensor> golden = NpyTensor.ReadNpzTensors(DetectorMicro.File("train_grads.npz"));
        Dictionary<string, Tensor> parameters = step.NamedParameters();
        int compared = 0;
        foreach ((string key, Tensor expected) in golden)
        {
            if (parameters.TryGetValue(key, out Tensor? p))
            {
                Assert.NotNull(p.grad);
                TensorAssert.CloseRelativeToMax(expected, p.grad!, 1e-4, key);
                compared++;
            }
            expected.Dispose();
        }
        Assert.Equal(golden.Keys.Count(k => !k.StartsWith("mdl.backbone.", StringComparison.Ordinal)), compared);
    }

    [Fact]
    public void NoLabels_GivesObjectnessOnlyLoss()
    {
        // Every frame takes the zero-label branch: no foreground, num_fg clamped to 1, iou and cls terms zero.
        using var step = new TrainStep(zeroTargets: true);
        Assert.Equal(0f, step.Losses.Iou.item<float>());
        Assert.Equal(0f, step.Losses.Cls.item<float>());
        Assert.Equal(1.0, step.Losses.NumFg);
        using Tensor obj = step.Outputs.Raw[.., .., 4];
        using Tensor expectedConf = nn.functional.binary_cross_entropy_with_logits(obj, zeros_like(obj), reduction: nn.Reduction.Sum);
        Assert.Equal(expectedConf.item<float>(), step.Losses.Conf.item<float>(), 3);
        Assert.All(step.Losses.Assignments, a => Assert.Equal(0, a.NumForeground));
    }

    [Fact]
    public void Compute_WrongTargetShape_Throws()
    {
        using DisposeScope scope = NewDisposeScope();
        using var step = new TrainStep();
        Assert.Throws<ArgumentException>(() => YoloXLoss.Compute(step.Outputs, zeros(6, 4, 4), DetectorMicro.NumClasses));
    }

    private static void AssertRelative(double expected, double actual, string what)
    {
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected), $"{what}: {actual} vs {expected}");
    }

    private sealed class TrainStep : IDisposable
    {
        private readonly DisposeScope _scope = NewDisposeScope();
        private readonly YoloPafpn _fpn = DetectorMicro.LoadFpn();
        private readonly YoloXHead _head = DetectorMicro.LoadHead();

        public TrainStep(bool zeroTargets = false)
        {
            _fpn.train();
            _head.train();
            Tensor targets = NpyTensor.ReadTensor(DetectorMicro.File("train_targets.npy"));
            if (zeroTargets)
            {
                targets = zeros_like(targets);
            }
            Outputs = _head.call(_fpn.call(DetectorMicro.BackboneFeatures("chunk1")));
            Losses = YoloXLoss.Compute(Outputs, targets, DetectorMicro.NumClasses);
        }

        public HeadOutputs Outputs { get; }

        public YoloXLosses Losses { get; }

        public Dictionary<string, Tensor> NamedParameters() => Prefixed(
            _fpn.named_parameters().Select(p => ("mdl.fpn." + p.name, (Tensor)p.parameter)),
            _head.named_parameters().Select(p => ("mdl.yolox_head." + p.name, (Tensor)p.parameter)));

        public Dictionary<string, Tensor> NamedState() => Prefixed(
            _fpn.state_dict().Select(kv => ("mdl.fpn." + kv.Key, kv.Value)),
            _head.state_dict().Select(kv => ("mdl.yolox_head." + kv.Key, kv.Value)));

        public void Dispose()
        {
            _fpn.Dispose();
            _head.Dispose();
            _scope.Dispose();
        }

        private static Dictionary<string, Tensor> Prefixed(IEnumerable<(string, Tensor)> a, IEnumerable<(string, Tensor)> b) =>
            a.Concat(b).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
    }
}
