using BenchmarkDotNet.Attributes;
using TorchSharp;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;

namespace EventSsm.Bench;

/// <summary>
/// Forward of the general <see cref="S5Layer"/> (H = P = 128, one sequence, float32, irregular per-step Δ) with the
/// sequential loop and the log-depth parallel scan. State updates per second = L·P / time.
/// </summary>
public class S5ScanBenchmarks
{
    private S5Layer _layer = null!;
    private Tensor _input = null!;
    private Tensor _steps = null!;

    [Params(21, 256, 4096)]
    public int Length { get; set; }

    [Params(LinearRecurrence.Method.Sequential, LinearRecurrence.Method.Parallel)]
    public LinearRecurrence.Method Method { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1, CPU);
        _layer = new S5Layer(128, new S5LayerOptions { StateWidth = 128 }, g);
        _input = randn([1, Length, 128], generator: g);
        _steps = rand([1, Length], generator: g) + 0.5;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _steps.Dispose();
        _layer.Dispose();
    }

    [Benchmark]
    public float Forward()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        (Tensor y, _) = _layer.Forward(_input, _steps, null, Method);
        return y[0, 0, 0].item<float>();
    }
}
