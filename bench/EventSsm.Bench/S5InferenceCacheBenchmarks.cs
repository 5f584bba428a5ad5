using BenchmarkDotNet.Attributes;
using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Bench;

/// <summary>
/// One streaming step (L = 1, no_grad, eval) of the detector's <see cref="S5Layer"/> at the S5-ViT-small stage shapes
/// (stage 1: 48 channels at 64×80 pixels; stage 4: 384 channels at 8×10), with the inference cache of the discretised
/// operands and with it dropped before every call (so every step discretises again).
/// </summary>
public class S5InferenceCacheBenchmarks
{
    private S5Layer _ssm = null!;
    private Tensor _input = null!;
    private IDisposable _noGrad = null!;

    [Params(1, 4)]
    public int Stage { get; set; }

    [Params(false, true)]
    public bool Cached { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (int width, long pixels) = Stage == 1 ? (48, 64L * 80) : (384, 8L * 10);
        var g = new Generator(1, CPU);
        _ssm = new S5Layer(width, new S5LayerOptions { Bandlimit = 0.5 }, g);
        _ssm.eval();
        _input = randn([pixels, 1, width], generator: g);
        _noGrad = no_grad();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _noGrad.Dispose();
        _input.Dispose();
        _ssm.Dispose();
    }

    [Benchmark]
    public void Step()
    {
        if (!Cached)
        {
            _ssm.InvalidateCaches();
        }
        using DisposeScope scope = NewDisposeScope();
        _ssm.Forward(_input, null, 1.0, S5StateMode.Reference);
    }
}
