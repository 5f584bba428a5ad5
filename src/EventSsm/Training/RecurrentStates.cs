using static TorchSharp.torch;

namespace EventSsm.Training;

/// <summary>
/// Recurrent backbone states kept between steps, one list of per-stage tensors (batch first) per stream key,
/// as the original's <c>RNNStates</c> (docs/DATA.md §3.7): rows of slots that start a new sequence are zeroed
/// before the step, and the states are stored detached after it. In the reference state mode the backbone ignores
/// them (docs/MODEL.md §3.4), so this is bookkeeping only; in carry mode it is what makes the recurrence continue.
/// </summary>
public sealed class RecurrentStates : IDisposable
{
    private readonly Dictionary<string, Tensor[]> _states = new(StringComparer.Ordinal);

    /// <summary>The states for <paramref name="key"/> with first-sample rows reset, or null when none are stored.</summary>
    public Tensor[]? Get(string key, bool[] isFirstSample)
    {
        if (!_states.TryGetValue(key, out Tensor[]? states))
        {
            return null;
        }
        if (isFirstSample.Any(f => f))
        {
            using Tensor mask = tensor(isFirstSample);
            foreach (Tensor s in states)
            {
                if (s.shape[0] != isFirstSample.Length)
                {
                    throw new InvalidOperationException($"stored state for '{key}' has batch {s.shape[0]}, the step has {isFirstSample.Length}");
                }
                using (no_grad())
                {
                    s[mask] = zeros_like(s[mask]);
                }
            }
        }
        return states;
    }

    /// <summary>Stores detached copies of <paramref name="states"/> (outside any dispose scope), replacing the old ones.</summary>
    public void Set(string key, IReadOnlyList<Tensor> states)
    {
        Tensor[] next = states.Select(s => s.detach().clone().DetachFromDisposeScope()).ToArray();
        if (_states.Remove(key, out Tensor[]? old))
        {
            foreach (Tensor t in old)
            {
                t.Dispose();
            }
        }
        _states[key] = next;
    }

    public void Reset()
    {
        foreach (Tensor[] ts in _states.Values)
        {
            foreach (Tensor t in ts)
            {
                t.Dispose();
            }
        }
        _states.Clear();
    }

    public void Dispose() => Reset();
}
