using BenchmarkDotNet.Attributes;
using TorchSharp;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Bench;

/// <summary>Inference time of the S5-ViT backbone (Gen1 small: 256×320 input, one chunk of L frames, B = 1).</summary>
[MemoryDiagnoser]
public class BackboneBenchmarks
{
    private RecurrentBackbone _backbone = null!;
    private Tensor _input = null!;

    [Params(1, 21)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backbone = new RecurrentBackbone(new BackboneOptions(embedDim: 48, dimHead: 24, partitionSize: (8, 10)));
        _backbone.eval();
        _input = rand([Length, 1, 20, 256, 320], generator: new Generator(1)) * 10;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _backbone.Dispose();
    }

    [Benchmark]
    public float Forward()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        (Tensor[] features, _) = _backbone.Forward(_input);
        return features[3][0, 0, 0, 0, 0].item<float>();
    }
}
