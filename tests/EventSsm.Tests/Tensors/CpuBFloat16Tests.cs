using EventSsm.Tensors;

namespace EventSsm.Tests.Tensors;

/// <summary>Which CPU flags mean bfloat16 in hardware (docs/MODEL.md §11.3).</summary>
public sealed class CpuBFloat16Tests
{
    [Theory]
    [InlineData("fpu sse avx2 avx512f avx512_bf16 avx512_vnni", true)] // AMD Zen 4, Intel Cooper Lake
    [InlineData("fpu avx512f amx_bf16 amx_tile", true)]                // Intel Sapphire Rapids
    [InlineData("fp asimd sve bf16 i8mm", true)]                       // Arm Neoverse V1 / N2 (Features)
    [InlineData("fpu sse avx2 fma avx512f avx512_vnni", false)]       // AVX-512 without BF16 (Skylake-SP)
    [InlineData("", false)]
    public void HasBFloat16Flag_KnowsTheBFloat16InstructionSets(string flags, bool expected) =>
        Assert.Equal(expected, CpuBFloat16.HasBFloat16Flag(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void IsNative_AgreesWithThisMachinesCpuinfo()
    {
        // Read independently of the class: the flags line of the first core.
        string? line = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal) || l.StartsWith("Features", StringComparison.Ordinal))
            : null;
        bool expected = line is not null && (line.Contains(" avx512_bf16", StringComparison.Ordinal) || line.Contains(" amx_bf16", StringComparison.Ordinal)
            || line.Split(' ').Contains("bf16"));
        Assert.Equal(expected, CpuBFloat16.IsNative);
    }
}
