using System.Text.Json.Serialization;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Benchmarks;

/// <summary>Settings of <see cref="DetectorBenchmark"/> (CPU latency of the S5-ViT detector).</summary>
/// <param name="Model">Experiment config under <c>configs/experiment/gen1</c>: tiny, small or base.</param>
/// <param name="Height">Input height before padding to the model's multiple (Gen1: 240 → 256).</param>
/// <param name="Width">Input width before padding (Gen1: 304 → 320).</param>
/// <param name="Threads">torch intra-op threads; 0 leaves the library default.</param>
/// <param name="Length">L of the chunk forward and of the training step.</param>
/// <param name="TrainBatch">B of the training step.</param>
/// <param name="Warmup">Untimed iterations before each measurement.</param>
/// <param name="Repeats">Timed iterations of the frame and chunk forwards.</param>
/// <param name="TrainRepeats">Timed training steps; 0 skips the training measurement.</param>
/// <param name="Overrides">Further config overrides in the original's style (<c>model.backbone.embed_dim=16</c>),
/// applied after the experiment and the resolution.</param>
/// <param name="Backend">torch, or onnx: the same model also exported as an ONNX stream graph and its streaming frame
/// timed in ONNX Runtime (same threads, input and postprocess), interleaved frame by frame with the TorchSharp one so
/// that both see the same machine load.</param>
/// <param name="Recurrent">The backbone's temporal layer (<c>model.backbone.recurrent</c>): the S5-ViT or RVT's LSTM.</param>
public sealed record DetectorBenchmarkOptions(
    string Model = "small",
    int Height = 256,
    int Width = 320,
    int Threads = 2,
    int Length = 5,
    int TrainBatch = 2,
    int Warmup = 2,
    int Repeats = 10,
    int TrainRepeats = 3,
    RecurrentLayer Recurrent = RecurrentLayer.S5,
    IReadOnlyList<string>? Overrides = null,
    string Backend = "torch")
{
    /// <summary>Where the model runs; CUDA timings wait for the device after each measured step.</summary>
    [JsonIgnore]
    public Device Device { get; init; } = CPU;

    /// <summary>The arithmetic of the timed inference (frame, chunk, breakdown); the training step is float32.</summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Float32;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> for an unknown model size or non-positive sizes and counts.
    /// </summary>
    public void Validate()
    {
        if (Model is not ("tiny" or "small" or "base"))
        {
            throw new ArgumentException($"model must be tiny, small or base, got '{Model}'");
        }
        AtLeast(Height, 32, "--height");
        AtLeast(Width, 32, "--width");
        AtLeast(Threads, 0, "--threads");
        AtLeast(Length, 1, "--length");
        AtLeast(TrainBatch, 1, "--train-batch");
        AtLeast(Warmup, 0, "warmup");
        AtLeast(Repeats, 1, "--repeats");
        AtLeast(TrainRepeats, 0, "--train-repeats");
        if (Backend == "onnx" && Precision != InferencePrecision.Float32)
        {
            throw new ArgumentException($"--backend onnx compares float32 graphs; {Precision} is for the torch backend alone");
        }
        if (Backend is not ("torch" or "onnx"))
        {
            throw new ArgumentException($"backend must be torch or onnx, got '{Backend}'");
        }
        if (Backend == "onnx" && Recurrent != RecurrentLayer.S5)
        {
            throw new ArgumentException("the onnx backend exports the S5 backbone only");
        }
        if (!Enum.IsDefined(Recurrent))
        {
            throw new ArgumentException($"unknown recurrent layer {Recurrent}");
        }
    }

    // One line naming the CLI option (ArgumentOutOfRangeException's message adds a parameter line).
    private static void AtLeast(int value, int min, string option)
    {
        if (value < min)
        {
            throw new ArgumentException($"{option} must be at least {min}, got {value}");
        }
    }
}
