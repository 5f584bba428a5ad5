using System.Text;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>What <see cref="StateDictLoader"/> did: loaded, missing, unexpected, mismatched and converted entries.</summary>
public sealed class StateDictLoadReport
{
    public List<string> Loaded { get; } = [];

    /// <summary>Module entries the source did not provide (they keep their current values).</summary>
    public List<string> MissingKeys { get; } = [];

    /// <summary>Source entries the module has no place for.</summary>
    public List<string> UnexpectedKeys { get; } = [];

    /// <summary>Entries present on both sides with different shapes (not loaded).</summary>
    public List<ShapeMismatch> ShapeMismatches { get; } = [];

    /// <summary>Entries loaded after a dtype conversion (for example a float64 source into a float32 parameter).</summary>
    public List<DTypeConversion> DTypeConversions { get; } = [];

    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append($"loaded {Loaded.Count}");
        Append(sb, "missing", MissingKeys);
        Append(sb, "unexpected", UnexpectedKeys);
        Append(sb, "shape mismatches", ShapeMismatches.Select(m => m.ToString()).ToList());
        Append(sb, "dtype conversions", DTypeConversions.Select(c => c.ToString()).ToList());
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string label, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            return;
        }
        const int Shown = 10;
        sb.Append($"; {label} {items.Count}: {string.Join(", ", items.Take(Shown))}");
        if (items.Count > Shown)
        {
            sb.Append($", … ({items.Count - Shown} more)");
        }
    }

    public sealed record ShapeMismatch(string Name, long[] Expected, long[] Actual)
    {
        public override string ToString() => $"{Name} module [{string.Join(",", Expected)}] vs source [{string.Join(",", Actual)}]";
    }

    public sealed record DTypeConversion(string Name, ScalarType From, ScalarType To)
    {
        public override string ToString() => $"{Name} {From}→{To}";
    }
}
