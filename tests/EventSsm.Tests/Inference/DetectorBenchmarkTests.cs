using EventSsm.Inference;
using EventSsm.Model;

namespace EventSsm.Tests.Inference;

public sealed class DetectorBenchmarkTests
{
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
        DetectorBenchmarkResult r = DetectorBenchmark.Run(Path.Combine(AppContext.BaseDirectory, "configs"), options);
        Assert.Equal(DetectorBenchmark.Components(RecurrentLayer.Lstm), r.Breakdown.Keys);
        Assert.All(r.Breakdown.Values, ms => Assert.True(ms >= 0));
        Assert.Null(r.TrainStep);
    }
}
