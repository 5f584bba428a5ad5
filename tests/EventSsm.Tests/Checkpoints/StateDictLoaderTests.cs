using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Checkpoints;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Checkpoints;

public sealed class StateDictLoaderTests
{
    private sealed class Net : nn.Module
    {
        private readonly Linear fc;
        private readonly BatchNorm1d bn;

        public Net() : base(nameof(Net))
        {
            fc = nn.Linear(3, 2);
            bn = nn.BatchNorm1d(2);
            RegisterComponents();
        }
    }

    private static Dictionary<string, Tensor> Source() => new()
    {
        ["fc.weight"] = arange(Scalars.Of(0), Scalars.Of(6), Scalars.One, dtype: ScalarType.Float64).reshape(2, 3),
        ["fc.bias"] = tensor(new float[] { 7, 8 }),
        ["bn.weight"] = tensor(new float[] { 1, 2 }),
        ["bn.bias"] = tensor(new float[] { 3, 4 }),
        ["bn.running_mean"] = tensor(new float[] { 5, 6 }),
        ["bn.running_var"] = tensor(new float[] { 7, 8 }),
        ["bn.num_batches_tracked"] = tensor(123L),
    };

    [Fact]
    public void Strict_ExactMatch_CopiesValuesAndReportsConversion()
    {
        using var net = new Net();
        StateDictLoadReport report = StateDictLoader.Load(net, Source());
        Assert.True(report.IsExact);
        Assert.Equal(7, report.Loaded.Count);
        var conversion = Assert.Single(report.DTypeConversions);
        Assert.Equal(("fc.weight", ScalarType.Float64, ScalarType.Float32), (conversion.Name, conversion.From, conversion.To));
        Dictionary<string, Tensor> sd = net.state_dict();
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, sd["fc.weight"].data<float>().ToArray());
        Assert.Equal(123L, sd["bn.num_batches_tracked"].item<long>());
        Assert.Equal(new float[] { 7, 8 }, net.parameters().Skip(1).First().data<float>().ToArray());
    }

    [Fact]
    public void Strict_Mismatch_ThrowsAndLoadsNothing()
    {
        using var net = new Net();
        Dictionary<string, Tensor> source = Source();
        source.Remove("bn.bias");
        source["fc.bias"] = zeros(3);
        source["extra.weight"] = zeros(1);
        float before = net.state_dict()["bn.weight"].data<float>()[0];
        StateDictMismatchException e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(net, source));
        Assert.Equal(["bn.bias"], e.Report.MissingKeys);
        Assert.Equal(["extra.weight"], e.Report.UnexpectedKeys);
        Assert.Equal("fc.bias", Assert.Single(e.Report.ShapeMismatches).Name);
        Assert.Contains("fc.bias module [2] vs source [3]", e.Message);
        Assert.Equal(before, net.state_dict()["bn.weight"].data<float>()[0]);
    }

    [Fact]
    public void NonStrict_LoadsWhatMatches()
    {
        using var net = new Net();
        Dictionary<string, Tensor> source = Source();
        source["fc.bias"] = zeros(3);
        StateDictLoadReport report = StateDictLoader.Load(net, source, strict: false);
        Assert.False(report.IsExact);
        Assert.DoesNotContain("fc.bias", report.Loaded);
        Assert.Equal(new float[] { 1, 2 }, net.state_dict()["bn.weight"].data<float>().ToArray());
    }
}
