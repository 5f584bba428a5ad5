using TorchSharp;
using EventSsm.IO.Numpy;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model;

/// <summary>Helpers for the model golden vectors (tests/fixtures/golden/{s5,detector_micro}).</summary>
internal static class GoldenTensors
{
    public static Tensor Load(params string[] parts) => NpyTensor.ReadTensor(Fixtures.Golden(parts));

    /// <summary>A golden (..., 2) [re, im] array as a complex64 tensor.</summary>
    public static Tensor LoadComplex(params string[] parts)
    {
        using Tensor t = Load(parts);
        return complex(t[TensorIndex.Ellipsis, 0], t[TensorIndex.Ellipsis, 1]);
    }

    /// <summary>Reads a state-dict .npz, keeps the keys under <paramref name="prefix"/> and strips it.</summary>
    public static Dictionary<string, Tensor> LoadStateDict(string prefix, params string[] parts)
    {
        Dictionary<string, Tensor> all = NpyTensor.ReadNpzTensors(Fixtures.Golden(parts));
        var selected = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in all)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                selected[key[prefix.Length..]] = value;
            }
            else
            {
                value.Dispose();
            }
        }
        return selected;
    }

    /// <summary>Loads the weights and asserts the key sets match exactly.</summary>
    public static void LoadInto(nn.Module module, Dictionary<string, Tensor> stateDict)
    {
        (IList<string> missing, IList<string> unexpected) = module.load_state_dict(stateDict, strict: false);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
    }

    public static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using Tensor diff = (actual.to(expected.dtype) - expected).abs().max();
        return diff.to(ScalarType.Float64).item<double>();
    }

    public static void AssertClose(Tensor actual, Tensor expected, double tolerance, string what)
    {
        double err = MaxAbsDiff(actual, expected);
        Assert.True(err <= tolerance, $"{what}: max abs error {err:E3} > {tolerance:E1}");
    }
}
