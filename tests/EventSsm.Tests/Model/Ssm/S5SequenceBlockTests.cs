using TorchSharp;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

public sealed class S5SequenceBlockTests
{
    public static TheoryData<string> Folders => new() { "s5", "s5/wide_step" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void GegluBlock_ReproducesGoldenS5Block_ThroughTheGeneralLayer(string folder)
    {
        using DisposeScope scope = NewDisposeScope();
        string[] Path(string file) => [.. folder.Split('/'), file];
        var block = new S5SequenceBlock(16, S5BlockVariant.Geglu, new S5LayerOptions { StateWidth = 16 });
        // The detector nests the layer one level deeper (s5.seq.X); the general block keeps it at s5.X.
        Dictionary<string, Tensor> weights = GoldenTensors.LoadStateDict("", Path("weights.npz"))
            .ToDictionary(kv => kv.Key.Replace("s5.seq.", "s5.", StringComparison.Ordinal), kv => kv.Value);
        GoldenTensors.LoadInto(block, weights);
        block.eval();
        Tensor x = GoldenTensors.Load(Path("x.npy"));
        Tensor prev = GoldenTensors.LoadComplex(Path("prev_state.npy"));
        using IDisposable noGrad = no_grad();

        (Tensor yRef, Tensor sRef) = block.Forward(x);
        GoldenTensors.AssertClose(yRef, GoldenTensors.Load(Path("y_reference.npy")), 1e-5, "y reference");
        GoldenTensors.AssertClose(view_as_real(sRef), GoldenTensors.Load(Path("state_reference.npy")), 1e-5, "state reference");
        foreach ((double scale, string suffix) in new[] { (1.0, ""), (0.5, "_ss05") })
        {
            (Tensor y, Tensor s) = block.Forward(x, tensor(scale), prev);
            GoldenTensors.AssertClose(y, GoldenTensors.Load(Path($"y_carry{suffix}.npy")), 1e-5, "y carry" + suffix);
            GoldenTensors.AssertClose(view_as_real(s), GoldenTensors.Load(Path($"state_carry{suffix}.npy")), 1e-5, "state carry" + suffix);
        }
    }

    [Theory]
    [InlineData(S5BlockVariant.Geglu)]
    [InlineData(S5BlockVariant.Residual)]
    public void StreamingSteps_EqualWholeSequenceForward(S5BlockVariant variant)
    {
        using DisposeScope scope = NewDisposeScope();
        var block = new S5SequenceBlock(6, variant, new S5LayerOptions { StateWidth = 8, ConjugateSymmetry = true }, new Generator(4, CPU));
        block.to(float64);
        var g = new Generator(2, CPU);
        Tensor x = randn([3, 80, 6], dtype: float64, generator: g);
        Tensor gaps = rand([3, 80], dtype: float64, generator: g) * 3;
        using IDisposable noGrad = no_grad();
        (Tensor y, Tensor last) = block.Forward(x, gaps);
        Tensor? state = null;
        for (int t = 0; t < 80; t++)
        {
            (Tensor yt, Tensor next) = block.Step(x[.., t], state, gaps[.., t]);
            state = next;
            Assert.True((yt - y[.., t]).abs().max().item<double>() <= 1e-10, $"t={t}");
        }
        Assert.True((state! - last).abs().max().item<double>() <= 1e-10);
        if (variant == S5BlockVariant.Residual)
        {
            Assert.DoesNotContain(block.state_dict().Keys, k => k.StartsWith("ff_", StringComparison.Ordinal));
        }
    }
}
