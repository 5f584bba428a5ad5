namespace EventSsm.Tensors;

/// <summary>
/// Whether this CPU computes bfloat16 in hardware (x86 AVX512-BF16 or AMX-BF16, Arm BF16): there, oneDNN's bfloat16
/// GEMMs and convolutions are about twice as fast as float32; elsewhere they are emulated and slower
/// (docs/MODEL.md §11.3). Read from /proc/cpuinfo; false where it cannot be read.
/// </summary>
public static class CpuBFloat16
{
    private static readonly Lazy<bool> s_native = new(() => HasBFloat16Flag(CpuFlags()));

    /// <summary>True when the CPU reports a bfloat16 instruction set.</summary>
    public static bool IsNative => s_native.Value;

    /// <summary>Whether <paramref name="flags"/> (the words of /proc/cpuinfo's flags or Features line) include one.</summary>
    public static bool HasBFloat16Flag(IEnumerable<string> flags) =>
        flags.Any(f => f is "avx512_bf16" or "amx_bf16" or "bf16");

    private static IEnumerable<string> CpuFlags()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
        {
            return [];
        }
        // x86 names its list "flags", Arm "Features"; every core repeats it, the first is enough.
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)
            || l.StartsWith("Features", StringComparison.Ordinal));
        return line is null ? [] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
