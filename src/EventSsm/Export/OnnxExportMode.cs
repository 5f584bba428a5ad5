namespace EventSsm.Export;

/// <summary>Which graph <see cref="OnnxExporter"/> writes.</summary>
public enum OnnxExportMode
{
    /// <summary>One window per call, the state carried in and out (x_k = Λ̄x_{k−1} + B̄u_k).</summary>
    Stream,

    /// <summary>A chunk of L windows per call with the checkpoint's state mode, as the original's validation.</summary>
    Chunk,
}
