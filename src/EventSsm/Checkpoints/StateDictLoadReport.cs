using System.Text;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>What <see cref="StateDictLoader"/> did: loaded, missing, unexpected, mismatched and converted entries.</summary>
public sealed class StateDictLoadReport
{
    /// <summary>Entries copied into the module.</summary>
    public List<string> Loaded { get; } = [];

    /// <summary>Module entries the source did not provide (they keep their current values).</summary>
    public List<string> MissingKeys { get; } = [];

    /// <summary>Source entries the module has no place for.</summary>
    public List<string> UnexpectedKeys { get; } = [];

    /// <summary>Entries present on both sides with different shapes (not loaded).</summary>
    public List<ShapeMismatch> ShapeMismatches { get; } = [];

    /// <summary>Entries loaded after a dtype conversion (for example a float64 source into a float32 parameter).</summary>
    public List<DTypeConversion> DTypeConversions { get; } = [];

    /// <summary>Whether names and shapes matched exactly (dtype conversions allowed).</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0 && ShapeMismatches.Count == 0;

    /// <summary>One line: loaded count, then each kind of difference with up to ten names.</summary>
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

    /// <summary>An entry whose shapes differ between the module and the source.</summary>
    /// <param name="Name">The state-dict key.</param>
    /// <param name="Expected">The module's shape.</param>
    /// <param name="Actual">The source's shape.</param>
    public sealed record ShapeMismatch(string Name, long[] Expected, long[] Actual)
    {
        /// <summary><c>name module [shape] vs source [shape]</c>.</summary>
        public override string ToString() => $"{Name} module [{string.Join(",", Expected)}] vs source [{string.Join(",", Actual)}]";
    }

    /// <summary>An entry loaded after converting its dtype.</summary>
    /// <param name="Name">The state-dict key.</param>
    /// <param name="From">The source's dtype.</param>
    /// <param name="To">The module's dtype.</param>
    public sealed record DTypeConversion(string Name, ScalarType From, ScalarType To)
    {
        /// <summary><c>name From→To</c>.</summary>
        public override string ToString() => $"{Name} {From}→{To}";
    }
}
