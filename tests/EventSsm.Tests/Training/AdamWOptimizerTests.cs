using EventSsm.IO;
using EventSsm.Tensors;
using EventSsm.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EventSsm.Tests.Training;

public sealed class AdamWOptimizerTests
{
    /// <summary>Two linear layers with seeded weights; the same seed gives the same module.</summary>
    private static Sequential Net(int seed)
    {
        using var _ = NewDisposeScope();
        manual_seed(seed);
        return nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2));
    }

    private static (string, Parameter)[] Named(Sequential net) =>
        net.named_parameters().Select(p => (p.name, p.parameter)).ToArray();

    private static void Backward(Sequential net, int step)
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor x = arange(Scalars.Of(0), Scalars.Of(8 * 4), Scalars.One, dtype: float32).reshape(8, 4).sin()
            .mul(Scalars.Of(step + 1));
        net.call(x).pow(Scalars.Of(2)).sum().backward();
    }

    [Fact]
    public void Steps_AreBitIdenticalToTorchSharpsAdamW()
    {
        using Sequential ours = Net(7);
        using Sequential theirs = Net(7);
        using var adamw = new AdamWOptimizer(Named(ours), 0.01, weightDecay: 0.05);
        using var reference = optim.AdamW(theirs.parameters(), 0.01, weight_decay: 0.05);
        for (int step = 0; step < 5; step++)
        {
            double lr = 0.01 * (1 + step);
            adamw.LearningRate = lr;
            foreach (ParamGroup g in reference.ParamGroups)
            {
                g.LearningRate = lr;
            }
            Backward(ours, step);
            Backward(theirs, step);
            adamw.Step();
            GcPause.Run(() => reference.step());
            adamw.ZeroGrad();
            reference.zero_grad();
            // Dropped, as PyTorch's zero_grad() does by default; the next backward writes fresh gradients.
            Assert.All(Named(ours), p => Assert.Null(p.Item2.grad));
        }
        foreach (((string name, Parameter a), (_, Parameter b)) in Named(ours).Zip(Named(theirs)))
        {
            Assert.True(a.eq(b).all().item<bool>(), $"{name} differs");
        }
    }

    [Fact]
    public void StateTensors_RoundTrip_AndTheNextStepsAgree()
    {
        using Sequential a = Net(3);
        using Sequential b = Net(3);
        using var first = new AdamWOptimizer(Named(a), 0.02);
        Backward(a, 0);
        first.Step();
        first.ZeroGrad();
        // b takes a's weights and a's optimizer state, then both take the same two steps.
        b.load_state_dict(a.state_dict());
        using var second = new AdamWOptimizer(Named(b), 0.02);
        Dictionary<string, Tensor> saved = first.StateTensors("opt.");
        second.LoadStateTensors(saved, "opt.", "test");
        for (int step = 1; step < 3; step++)
        {
            Backward(a, step);
            Backward(b, step);
            first.Step();
            second.Step();
            first.ZeroGrad();
            second.ZeroGrad();
        }
        foreach (((string name, Parameter x), (_, Parameter y)) in Named(a).Zip(Named(b)))
        {
            Assert.True(x.eq(y).all().item<bool>(), $"{name} differs after resuming");
        }
    }

    [Fact]
    public void LoadTorchSharpState_ContinuesLikeTheTorchSharpOptimizer()
    {
        using Sequential ours = Net(5);
        using Sequential theirs = Net(5);
        using var reference = optim.AdamW(theirs.parameters(), 0.01, weight_decay: 0.01);
        Backward(theirs, 0);
        GcPause.Run(() => reference.step());
        reference.zero_grad();
        byte[] blob;
        using (var ms = new MemoryStream())
        {
            using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                reference.save_state_dict(w);
            }
            blob = ms.ToArray();
        }
        ours.load_state_dict(theirs.state_dict());
        using var adamw = new AdamWOptimizer(Named(ours), 0.01);
        adamw.LoadTorchSharpState(blob);
        Backward(ours, 1);
        Backward(theirs, 1);
        adamw.Step();
        GcPause.Run(() => reference.step());
        foreach (((string name, Parameter x), (_, Parameter y)) in Named(ours).Zip(Named(theirs)))
        {
            Assert.True(x.eq(y).all().item<bool>(), $"{name} differs after loading TorchSharp's state");
        }
    }

    [Fact]
    public void LoadStateTensors_OfAnotherModel_IsAOneLineError()
    {
        using Sequential net = Net(1);
        using var adamw = new AdamWOptimizer(Named(net), 0.01);
        using Tensor steps = tensor(new long[] { 1, 2 });
        var e = Assert.Throws<DataFormatException>(() =>
            adamw.LoadStateTensors(new Dictionary<string, Tensor> { ["opt.steps"] = steps }, "opt.", "run/last.safetensors"));
        Assert.Contains("run/last.safetensors", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
