using EventSsm.Inference;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Tensors;
using EventSsm.Workflows.Benchmarks;

namespace EventSsm.Tests.Workflows.Benchmarks;

public sealed class DetectorBenchmarkTests
{
    [Fact]
    public void CreateModel_AppliesTrailingConfigOverrides_AfterTheExperiment()
    {
        string configs = TestConfigs.Directory;
        using YoloXDetector small = DetectorBenchmark.CreateModel(configs, "small", 256, 320);
        using YoloXDetector micro = DetectorBenchmark.CreateModel(configs, "small", 256, 320, RecurrentLayer.S5,
            TestConfigs.MicroGen1[2..]);
        Assert.Equal(16, micro.Backbone.Options.EmbedDim);
        Assert.Equal(8, micro.Backbone.Options.DimHead);
        Assert.NotEqual(small.Backbone.Options.EmbedDim, micro.Backbone.Options.EmbedDim);
    }

    [Fact]
    public void Components_NameTheTemporalLayerAfterTheBackbone()
    {
        Assert.Equal(["stem", "downsample", "attention", "s5", "fpn", "head", "postprocess"], DetectorBenchmark.Components(RecurrentLayer.S5));
        Assert.Equal(["stem", "downsample", "attention", "lstm", "fpn", "head", "postprocess"], DetectorBenchmark.Components(RecurrentLayer.Lstm));
    }

    [Fact]
    public void Run_WithAnLstmBackbone_BreaksDownTheLstm()
    {
        var options = new DetectorBenchmarkOptions("tiny", 64, 64, Threads: 0, Length: 2, Warmup: 0, Repeats: 1, TrainRepeats: 0,
            Recurrent: RecurrentLayer.Lstm);
        DetectorBenchmarkResult r = DetectorBenchmark.Run(TestConfigs.Directory, options);
        Assert.Equal(DetectorBenchmark.Components(RecurrentLayer.Lstm), r.Breakdown.Keys);
        Assert.All(r.Breakdown.Values, ms => Assert.True(ms >= 0));
        Assert.Null(r.TrainStep);
        // The report says which attention ran: ours where this CPU runs the kernels, libtorch's and why otherwise.
        Assert.StartsWith(FusedAttention.Unavailable is null ? "our kernels" : "libtorch's operators (", r.Attention);
        Assert.Contains($"attention kernels: {r.Attention}", r.ToTable());
        Assert.Equal("none (the backbone's temporal layer is the LSTM)", r.Scan);
        Assert.Contains($"s5 scan: {r.Scan}", r.ToTable());
    }

    [Fact]
    public void Run_OnnxBackend_TimesBothBackendsInTheSameLoop()
    {
        var options = new DetectorBenchmarkOptions("tiny", 64, 64, Threads: 1, Length: 2, Warmup: 1, Repeats: 3, TrainRepeats: 0,
            Backend: "onnx");
        DetectorBenchmarkResult r = DetectorBenchmark.Run(TestConfigs.Directory, options);
        Assert.Equal(3, r.OnnxFrame!.Count);
        Assert.Equal(3, r.TorchFrameInterleaved!.Count);
        Assert.True(r.OnnxFrame.MinMs > 0 && r.OnnxToTorchP50 > 0);
        // The S5 backbone's scan: ours where this CPU runs the kernel, libtorch's and why otherwise.
        Assert.StartsWith(SplitComplexScan.Unavailable is null ? "our kernel (" : "libtorch's operators (", r.Scan);
        // Repeats 3 over 5 rounds: one timed frame per block, each library's block p50 is that frame.
        Assert.Equal(DetectorBenchmark.AloneRounds, r.OnnxFrameAlone!.Count);
        Assert.Equal(DetectorBenchmark.AloneRounds, r.TorchFrameAlone!.Count);
        Assert.Equal(DetectorBenchmark.AloneRounds, r.AloneRoundRatios!.Count);
        Assert.All(r.AloneRoundRatios, ratio => Assert.True(ratio > 0));
        double[] sorted = [.. r.AloneRoundRatios.Order()];
        Assert.Equal(sorted[DetectorBenchmark.AloneRounds / 2], r.OnnxAloneToTorchP50);
        Assert.InRange(r.OnnxAloneToTorchP50!.Value, sorted[0], sorted[^1]);
        Assert.Contains("(median of 5 rounds:", r.ToTable());
        Assert.Throws<ArgumentException>(() => (options with { Backend = "tensorrt" }).Validate());
    }

    [Theory]
    [InlineData(0, 1, 3, "--repeats must be at least 1, got 0")]
    [InlineData(10, 0, 3, "--length must be at least 1, got 0")]
    [InlineData(10, 5, -1, "--train-repeats must be at least 0, got -1")]
    public void Validate_BadCount_IsOneLineNamingTheOption(int repeats, int length, int trainRepeats, string expected)
    {
        var options = new DetectorBenchmarkOptions("small", 256, 320, Length: length, Repeats: repeats, TrainRepeats: trainRepeats);
        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(expected, e.Message);
    }
}
