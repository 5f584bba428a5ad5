using System.Collections.Concurrent;
using TorchSharp;

namespace EventSsm.Tensors;

/// <summary>
/// Scalars that stay alive for the whole tensor operation they are passed to (docs/ARCHITECTURE.md "Scalars"): cached
/// ones for the constants of the code (never freed, a few dozen in all) and owned ones for values computed at run time
/// (the caller disposes them). The only place in the library that turns a number into a <see cref="Scalar"/>;
/// tests/EventSsm.Tests/Architecture/ScalarOwnershipTests.cs enforces it.
/// </summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<(long Bits, TypeCode Type), Scalar> s_cache = new();

    /// <summary>Integer 1: the <c>alpha</c> of <c>add</c>/<c>sub</c>, the value TorchSharp's <c>a + b</c> passes.</summary>
    public static Scalar One { get; } = Of(1);

    /// <summary>A cached integer scalar (Int32, as C#'s <c>int</c> literal converts): for constants only.</summary>
    public static Scalar Of(int value) => s_cache.GetOrAdd((value, TypeCode.Int32), static k => ((int)k.Bits).ToScalar());

    /// <summary>A cached 64-bit integer scalar: for constants and sizes.</summary>
    public static Scalar Of(long value) => s_cache.GetOrAdd((value, TypeCode.Int64), static k => k.Bits.ToScalar());

    /// <summary>A cached float32 scalar (what a <c>float</c> operand converts to): for constants only.</summary>
    public static Scalar Of(float value) =>
        s_cache.GetOrAdd((BitConverter.SingleToInt32Bits(value), TypeCode.Single), static k => BitConverter.Int32BitsToSingle((int)k.Bits).ToScalar());

    /// <summary>A cached float64 scalar (what a <c>double</c> operand converts to): for constants only.</summary>
    public static Scalar Of(double value) =>
        s_cache.GetOrAdd((BitConverter.DoubleToInt64Bits(value), TypeCode.Double), static k => BitConverter.Int64BitsToDouble(k.Bits).ToScalar());

    /// <summary>A float64 scalar for a value computed at run time; the caller owns it (<c>using</c>).</summary>
    public static Scalar Owned(double value) => value.ToScalar();

    /// <summary>A 64-bit integer scalar for a value computed at run time; the caller owns it (<c>using</c>).</summary>
    public static Scalar Owned(long value) => value.ToScalar();
}
