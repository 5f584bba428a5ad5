using EventSsm.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>
/// AdamW with the exact arithmetic of TorchSharp 0.107's <c>optim.AdamW.step</c> (PyTorch's decoupled weight decay,
/// amsgrad and maximize off): per parameter, p ← p·(1 − lr·wd); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
/// p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε), in the same op order, so the results are bit-identical.
/// </summary>
/// <remarks>
/// Why our own: TorchSharp's step passes every number (β₁, 1 − β₁, ε, the step size, …) as a temporary
/// <see cref="Scalar"/> that only its finalizer frees, and nothing keeps it alive during the native call; a garbage
/// collection started by another thread (the batch prefetchers) can free it while libtorch still reads it
/// (docs/ARCHITECTURE.md "Scalars"). Here every scalar is owned by a <c>using</c> that outlives the call.
/// The state is kept per parameter name, so a checkpoint stores it as named tensors. The defaults are PyTorch's
/// (weight decay 0.01; TorchSharp's factory defaults it to 0).
/// </remarks>
public sealed class AdamWOptimizer : IDisposable
{
    private readonly (string Name, Parameter Parameter)[] _parameters;
    private readonly Tensor?[] _expAvg;
    private readonly Tensor?[] _expAvgSq;
    private readonly long[] _steps;

    public AdamWOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double beta1 = 0.9,
        double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        _expAvg = new Tensor?[_parameters.Length];
        _expAvgSq = new Tensor?[_parameters.Length];
        _steps = new long[_parameters.Length];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    public double LearningRate { get; set; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Eps { get; }

    public double WeightDecay { get; }

    /// <summary>The parameters in the order the state is stored.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        using IDisposable noGrad = no_grad();
        using Scalar beta1 = Scalars.Owned(Beta1);
        using Scalar oneMinusBeta1 = Scalars.Owned(1 - Beta1);
        using Scalar beta2 = Scalars.Owned(Beta2);
        using Scalar oneMinusBeta2 = Scalars.Owned(1 - Beta2);
        using Scalar eps = Scalars.Owned(Eps);
        using Scalar decay = Scalars.Owned(1 - (LearningRate * WeightDecay));
        for (int i = 0; i < _parameters.Length; i++)
        {
            using DisposeScope scope = NewDisposeScope();
            Parameter p = _parameters[i].Parameter;
            Tensor? grad = p.grad;
            if (grad is null)
            {
                continue;
            }
            if (_expAvg[i] is null)
            {
                _expAvg[i] = zeros_like(p).DetachFromDisposeScope();
                _expAvgSq[i] = zeros_like(p).DetachFromDisposeScope();
            }
            long t = ++_steps[i];
            p.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(Beta1, t);
            double biasCorrection2 = 1 - Math.Pow(Beta2, t);
            _expAvg[i]!.mul_(beta1).add_(grad, oneMinusBeta1);
            _expAvgSq[i]!.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
            using Scalar sqrtBias2 = Scalars.Owned(Math.Sqrt(biasCorrection2));
            Tensor denom = _expAvgSq[i]!.sqrt().div(sqrtBias2).add_(eps, Scalars.One);
            using Scalar negStepSize = Scalars.Owned(-(LearningRate / biasCorrection1));
            p.addcdiv_(_expAvg[i]!, denom, negStepSize);
        }
    }

    /// <summary>
    /// Drops every gradient, as PyTorch's <c>zero_grad()</c> does by default (set to none): the next backward writes
    /// fresh ones, and 0 + g = g, so this equals zeroing them. It saves the zeroing and the accumulation passes, and the
    /// gradients take no memory during the forward (docs/PERFORMANCE.md "Speed to the floor").
    /// </summary>
    public void ZeroGrad()
    {
        foreach ((_, Parameter p) in _parameters)
        {
            using Tensor? grad = p.grad;
            if (grad is not null)
            {
                p.grad = null;
            }
        }
    }

    /// <summary>
    /// The state as named tensors (views of the live state; copy before the next step): <c>{prefix}steps</c> (int64, one
    /// per parameter in <see cref="Parameters"/> order) and <c>{prefix}exp_avg.{name}</c> / <c>{prefix}exp_avg_sq.{name}</c>
    /// for every parameter that has taken a step.
    /// </summary>
    public Dictionary<string, Tensor> StateTensors(string prefix)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [prefix + "steps"] = tensor(_steps, device: CPU) };
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_expAvg[i] is Tensor m)
            {
                result[$"{prefix}exp_avg.{_parameters[i].Name}"] = m;
                result[$"{prefix}exp_avg_sq.{_parameters[i].Name}"] = _expAvgSq[i]!;
            }
        }
        return result;
    }

    /// <summary>Restores what <see cref="StateTensors"/> wrote; <paramref name="source"/> names the file for errors.</summary>
    public void LoadStateTensors(IReadOnlyDictionary<string, Tensor> tensors, string prefix, string source)
    {
        if (!tensors.TryGetValue(prefix + "steps", out Tensor? steps) || steps.numel() != _parameters.Length)
        {
            throw new IO.DataFormatException(source,
                $"optimizer state '{prefix}steps' is missing or does not have {_parameters.Length} entries (a checkpoint of another model?)");
        }
        long[] loadedSteps = steps.to(int64).data<long>().ToArray();
        for (int i = 0; i < _parameters.Length; i++)
        {
            string name = _parameters[i].Name;
            bool hasM = tensors.TryGetValue($"{prefix}exp_avg.{name}", out Tensor? m);
            bool hasV = tensors.TryGetValue($"{prefix}exp_avg_sq.{name}", out Tensor? v);
            if (hasM != hasV || (hasM && (!m!.shape.SequenceEqual(_parameters[i].Parameter.shape) || !v!.shape.SequenceEqual(m.shape))))
            {
                throw new IO.DataFormatException(source, $"optimizer state of '{name}' is incomplete or has the wrong shape");
            }
            SetState(i, loadedSteps[i], m, v);
        }
    }

    /// <summary>
    /// Restores a state that TorchSharp's <c>optim.AdamW.save_state_dict</c> wrote (training checkpoints of earlier
    /// versions kept it as one byte blob): TorchSharp parses its own format, then the moments are copied over.
    /// </summary>
    public void LoadTorchSharpState(byte[] blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        using var legacy = optim.AdamW(_parameters.Select(p => p.Parameter), LearningRate, Beta1, Beta2, Eps, WeightDecay);
        using (var ms = new MemoryStream(blob))
        using (var r = new BinaryReader(ms))
        {
            legacy.load_state_dict(r);
        }
        List<OptimizerState> states = legacy.state_dict().State;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var s = (TorchSharp.Modules.AdamW.State)states[i];
            SetState(i, s.step, s.step > 0 ? s.exp_avg : null, s.step > 0 ? s.exp_avg_sq : null);
        }
    }

    public void Dispose()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            _expAvg[i]?.Dispose();
            _expAvgSq[i]?.Dispose();
            _expAvg[i] = _expAvgSq[i] = null;
        }
    }

    private void SetState(int i, long step, Tensor? expAvg, Tensor? expAvgSq)
    {
        _expAvg[i]?.Dispose();
        _expAvgSq[i]?.Dispose();
        Device device = _parameters[i].Parameter.device;
        ScalarType dtype = _parameters[i].Parameter.dtype;
        _expAvg[i] = expAvg?.to(dtype, device, copy: true).DetachFromDisposeScope();
        _expAvgSq[i] = expAvgSq?.to(dtype, device, copy: true).DetachFromDisposeScope();
        _steps[i] = step;
    }
}
