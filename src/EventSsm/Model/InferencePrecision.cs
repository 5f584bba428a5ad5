namespace EventSsm.Model;

/// <summary>The arithmetic a detector runs inference in (docs/MODEL.md §11.3).</summary>
public enum InferencePrecision
{
    /// <summary>float32 throughout: the original's arithmetic, what every golden test checks.</summary>
    Float32,

    /// <summary>
    /// bfloat16 weights and activations except the S5 layers (float32, complex state) and the decoded boxes (float32):
    /// about twice the GEMM and convolution rate on CPUs with AVX512-BF16 or AMX, at bfloat16's 8-bit mantissa.
    /// </summary>
    BFloat16,
}
