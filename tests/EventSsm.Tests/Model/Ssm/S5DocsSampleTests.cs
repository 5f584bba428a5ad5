using System.Runtime.CompilerServices;
using TorchSharp;
using EventSsm.Model.Ssm;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Ssm;

/// <summary>
/// The code sample of docs/S5.md ("API"), compiled and run here as written; a second test keeps the doc's block and
/// this copy line for line equal, so the documented sample always compiles against the current types.
/// </summary>
public sealed class S5DocsSampleTests
{
    private const string Begin = "// docs/S5.md sample: begin";
    private const string End = "// docs/S5.md sample: end";

    [Fact]
    public void Sample_RunsAndGivesTheDocumentedShapes()
    {
        using DisposeScope scope = NewDisposeScope();
        using IDisposable noGrad = no_grad();
        manual_seed(1);
        // docs/S5.md sample: begin
        var layer = new S5Layer(width: 64, new S5LayerOptions
        {
            StateWidth = 64,            // P (default H)
            BlockCount = 4,             // block-diagonal HiPPO init: 4 blocks of 16
            ConjugateSymmetry = true,   // store P/2 states, output 2·Re(C̃x)
            Bidirectional = false,      // true: forward + reversed scan, states concatenated, C̃ is (H, 2P)
            Discretization = S5Discretization.Zoh,   // or Bilinear (default, the detector's)
            DtMin = 1e-3, DtMax = 1e-1,
            BcInit = S5BcInit.Dense,    // Dense | DenseColumns | ComplexNormal | Factorized (FactorRank = k)
            Bandlimit = null,           // init-time C̃ mask (the detector: 0.5)
            ScanMethod = LinearRecurrence.Method.Auto,   // Auto | Sequential | Parallel
        });

        Tensor u = randn(8, 100, 64);                                  // (N, L, H)
        Tensor perSequence = rand(8).add(Scalars.Of(0.5), Scalars.One);   // (N)
        Tensor gaps = rand(8, 100).mul(Scalars.Of(2));                    // (N, L)
        (Tensor y, Tensor last) = layer.Forward(u);                    // Δ = exp(log_step)
        (y, last) = layer.Forward(u, 0.5);                             // scalar step scale
        (y, last) = layer.Forward(u, perSequence);                     // (N)
        (y, last) = layer.Forward(u, gaps, state: last);               // (N, L): irregular steps, carried state
        (Tensor yt, Tensor xt) = layer.Step(u[.., 0], last, gaps[.., 0]);   // streaming, one step (N, H)

        // The detector's call: one step scale and the state semantics (Reference ignores the state, as the original does).
        (y, last) = layer.Forward(u, last, 1.0, S5StateMode.Carry);

        var block = new S5Block(64, new S5LayerOptions { StateWidth = 64 }, S5BlockVariant.Geglu);
        (Tensor z, Tensor s) = block.Forward(u, gaps);                 // the same calls as the layer; block.Layer is its S5Layer
        // docs/S5.md sample: end

        Assert.Equal(32, layer.StateWidth);
        Assert.Equal(new long[] { 8, 100, 64 }, y.shape);
        Assert.Equal(new long[] { 8, 32 }, last.shape);
        Assert.Equal(ScalarType.ComplexFloat32, last.dtype);
        Assert.Equal(new long[] { 8, 64 }, yt.shape);
        Assert.Equal(new long[] { 8, 32 }, xt.shape);
        Assert.Equal(new long[] { 8, 100, 64 }, z.shape);
        Assert.Equal(new long[] { 8, 64 }, s.shape);
        Assert.True(y.isfinite().all().item<bool>() && z.isfinite().all().item<bool>());
    }

    [Fact]
    public void Sample_IsTheCodeBlockOfTheDoc()
    {
        string testFile = ThisFile();
        string docs = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", "..", "..", "docs", "S5.md"));
        Assert.True(File.Exists(docs), $"docs/S5.md not found at {docs}");
        string[] doc = File.ReadAllLines(docs);
        int start = Array.FindIndex(doc, l => l.Trim() == "```csharp");
        int stop = Array.FindIndex(doc, start + 1, l => l.Trim() == "```");
        string[] test = File.ReadAllLines(testFile);
        int begin = Array.FindIndex(test, l => l.Trim() == Begin);
        int end = Array.FindIndex(test, l => l.Trim() == End);
        Assert.True(start >= 0 && stop > start && begin >= 0 && end > begin);
        Assert.Equal(Code(doc[(start + 1)..stop]), Code(test[(begin + 1)..end]));
    }

    /// <summary>The lines that matter: trimmed, without blank lines and usings (the test file has its own).</summary>
    private static string[] Code(string[] lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
