using TorchSharp;
using EventSsm.Model.Backbone;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>RVT's DWSConvLSTM2d cell against a plain-loop reference of models/layers/rnn.py.</summary>
public sealed class DwsConvLstm2dTests
{
    private const int C = 2;
    private const int H = 3;
    private const int W = 4;

    /// <summary>Fills every parameter with seeded values; returns them by state_dict key, as float arrays.</summary>
    private static Dictionary<string, float[]> Randomise(DwsConvLstm2d cell, int seed)
    {
        var generator = new Generator((ulong)seed);
        var values = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach ((string name, Tensor p) in cell.state_dict())
            {
                using Tensor r = randn(p.shape, generator: generator).mul(Scalars.Of(0.7));
                p.copy_(r);
                values[name] = r.data<float>().ToArray();
            }
        }
        return values;
    }

    private static float Sigmoid(float v) => 1f / (1f + MathF.Exp(-v));

    /// <summary>Depthwise k×k conv with zero padding k/2 and bias, per channel, on a (C', H, W) map.</summary>
    private static float[] DepthwiseConv(float[] map, int channels, float[] weight, float[] bias, int k)
    {
        var result = new float[map.Length];
        for (int ch = 0; ch < channels; ch++)
        {
            for (int y = 0; y < H; y++)
            {
                for (int x = 0; x < W; x++)
                {
                    float sum = bias[ch];
                    for (int dy = 0; dy < k; dy++)
                    {
                        for (int dx = 0; dx < k; dx++)
                        {
                            int yy = y + dy - k / 2;
                            int xx = x + dx - k / 2;
                            if (yy is >= 0 and < H && xx is >= 0 and < W)
                            {
                                sum += weight[(ch * k + dy) * k + dx] * map[(ch * H + yy) * W + xx];
                            }
                        }
                    }
                    result[(ch * H + y) * W + x] = sum;
                }
            }
        }
        return result;
    }

    /// <summary>rnn.py for batch 1: optional depthwise conv, cat, 1×1 conv, split [f, i, o | g], c and h.</summary>
    private static (float[] H, float[] C) Reference(float[] x, float[] h, float[] c, Dictionary<string, float[]> p, LstmOptions o)
    {
        if (o.DwsConv && o.DwsConvOnlyHidden)
        {
            h = DepthwiseConv(h, C, p["conv3x3_dws.weight"], p["conv3x3_dws.bias"], o.DwsConvKernelSize);
        }
        float[] xh = [.. x, .. h];
        if (o.DwsConv && !o.DwsConvOnlyHidden)
        {
            xh = DepthwiseConv(xh, 2 * C, p["conv3x3_dws.weight"], p["conv3x3_dws.bias"], o.DwsConvKernelSize);
        }
        float[] weight = p["conv1x1.weight"];
        float[] bias = p["conv1x1.bias"];
        var hOut = new float[C * H * W];
        var cOut = new float[C * H * W];
        for (int pixel = 0; pixel < H * W; pixel++)
        {
            var mix = new float[4 * C];
            for (int oc = 0; oc < 4 * C; oc++)
            {
                mix[oc] = bias[oc];
                for (int ic = 0; ic < 2 * C; ic++)
                {
                    mix[oc] += weight[oc * 2 * C + ic] * xh[ic * H * W + pixel];
                }
            }
            for (int ch = 0; ch < C; ch++)
            {
                float forget = Sigmoid(mix[ch]);
                float input = Sigmoid(mix[C + ch]);
                float output = Sigmoid(mix[2 * C + ch]);
                float cellInput = MathF.Tanh(mix[3 * C + ch]);
                int i = ch * H * W + pixel;
                cOut[i] = forget * c[i] + input * cellInput;
                hOut[i] = output * MathF.Tanh(cOut[i]);
            }
        }
        return (hOut, cOut);
    }

    private static void AssertClose(float[] expected, Tensor actual, string what)
    {
        float[] a = actual.contiguous().data<float>().ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - a[i]) <= 1e-5, $"{what}[{i}]: expected {expected[i]}, got {a[i]}");
        }
    }

    public static TheoryData<bool, bool> Variants => new() { { false, true }, { true, true }, { true, false } };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Step_MatchesThePlainLoopReference(bool dwsConv, bool onlyHidden)
    {
        var options = new LstmOptions(DwsConv: dwsConv, DwsConvOnlyHidden: onlyHidden);
        using var cell = new DwsConvLstm2d(C, options);
        Dictionary<string, float[]> p = Randomise(cell, 3);
        using DisposeScope scope = NewDisposeScope();
        var g = new Generator(4);
        Tensor x = randn([1, C, H, W], generator: g);
        Tensor h0 = randn([1, C, H, W], generator: g);
        Tensor c0 = randn([1, C, H, W], generator: g);
        (Tensor h, Tensor c) = cell.Forward(x, (h0, c0));
        (float[] eh, float[] ec) = Reference(x.data<float>().ToArray(), h0.data<float>().ToArray(), c0.data<float>().ToArray(), p, options);
        AssertClose(eh, h, "h");
        AssertClose(ec, c, "c");
    }

    [Fact]
    public void NoState_IsTheZeroState()
    {
        using var cell = new DwsConvLstm2d(C, new LstmOptions(DwsConv: true));
        Randomise(cell, 5);
        using DisposeScope scope = NewDisposeScope();
        Tensor x = randn([2, C, H, W], generator: new Generator(6));
        (Tensor h1, Tensor c1) = cell.Forward(x, null);
        (Tensor h2, Tensor c2) = cell.Forward(x, (zeros_like(x), zeros_like(x)));
        TensorAssert.Close(h2, h1, 0, what: "h");
        TensorAssert.Close(c2, c1, 0, what: "c");
    }

    [Theory]
    [InlineData(false, true, "conv1x1.weight:8,4,1,1 conv1x1.bias:8")]
    [InlineData(true, true, "conv3x3_dws.weight:2,1,3,3 conv3x3_dws.bias:2 conv1x1.weight:8,4,1,1 conv1x1.bias:8")]
    [InlineData(true, false, "conv3x3_dws.weight:4,1,3,3 conv3x3_dws.bias:4 conv1x1.weight:8,4,1,1 conv1x1.bias:8")]
    public void StateDictKeys_AreRvts(bool dwsConv, bool onlyHidden, string expected)
    {
        using var cell = new DwsConvLstm2d(C, new LstmOptions(DwsConv: dwsConv, DwsConvOnlyHidden: onlyHidden));
        string keys = string.Join(" ", cell.state_dict().Select(kv => $"{kv.Key}:{string.Join(",", kv.Value.shape)}"));
        Assert.Equal(expected, keys);
    }

    [Fact]
    public void CellUpdateDropout_ActsOnlyInTraining()
    {
        using var cell = new DwsConvLstm2d(C, new LstmOptions(DropCellUpdate: 0.5));
        Randomise(cell, 7);
        using DisposeScope scope = NewDisposeScope();
        Tensor x = randn([4, C, H, W], generator: new Generator(8));
        cell.eval();
        (_, Tensor evalC) = cell.Forward(x, null);
        cell.train();
        (_, Tensor trainC) = cell.Forward(x, null);
        // From a zero state c = i·drop(g): dropped entries are exactly 0, kept ones are scaled by 1/(1 − p) = 2.
        using Tensor dropped = trainC.eq(Scalars.Of(0));
        Assert.True(dropped.any().item<bool>());
        Assert.True(trainC.masked_select(dropped.logical_not()).allclose(evalC.masked_select(dropped.logical_not()).mul(Scalars.Of(2)), 1e-5, 1e-6));
    }

    [Theory]
    [InlineData(4, 0.0)]
    [InlineData(3, 1.0)]
    [InlineData(0, 0.0)]
    public void BadOptions_Throw(int kernel, double drop)
    {
        var e = Assert.Throws<ArgumentException>(() => new DwsConvLstm2d(C, new LstmOptions(DwsConv: true, DwsConvKernelSize: kernel, DropCellUpdate: drop)));
        Assert.Contains("lstm", e.Message);
    }
}
