using EventSsm.Model;
using EventSsm.Datasets;
using EventSsm.Export;
using EventSsm.Inference;
using EventSsm.Labels;
using EventSsm.Onnx;
using EventSsm.Streaming;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Workflows.Prediction;

/// <summary>
/// The backend a command asked for (<c>--backend torch|onnx</c>): the TorchSharp model of a checkpoint, or an ONNX graph
/// in ONNX Runtime, either an exported <c>.onnx</c> file or a checkpoint exported on the fly (stream graph, to a
/// temporary file deleted on dispose).
/// </summary>
public sealed class DetectorBackends : IDisposable
{
    private readonly LoadedDetector? _loaded;
    private readonly string? _temporary;

    private DetectorBackends(IDetectorBackend backend, IReadOnlyList<string> classNames, LoadedDetector? loaded, string? temporary)
    {
        Backend = backend;
        ClassNames = classNames;
        _loaded = loaded;
        _temporary = temporary;
    }

    /// <summary>The opened backend.</summary>
    public IDetectorBackend Backend { get; }

    /// <summary>The classes the model predicts, by class id (its dataset's, for the CSV and the rendering).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <param name="backend">torch or onnx.</param>
    /// <param name="model">A checkpoint (.ckpt, .pt, .npz, .safetensors) or, for onnx, an exported .onnx graph.</param>
    /// <param name="device">Where the model runs: a torch device, or for onnx the CPU or a CUDA device (the GPU build).</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (0 = one per core); torch's are process-wide, set by the caller.</param>
    /// <param name="overrides">Config overrides for a checkpoint without an embedded config.</param>
    /// <param name="configDir">The configs folder; null: found by <see cref="Config.ConfigLocator"/>.</param>
    /// <param name="precision">The torch model's inference arithmetic (docs/MODEL.md §11.3); onnx takes float32
    /// only.</param>
    public static DetectorBackends Open(string backend, string model, IReadOnlyList<string>? overrides = null, string? configDir = null,
        Device? device = null, int threads = 0, InferencePrecision precision = InferencePrecision.Float32)
    {
        if (backend == "onnx" && precision != InferencePrecision.Float32)
        {
            throw new ArgumentException($"{model}: {precision} inference is for the torch backend; the ONNX graph runs in float32");
        }
        OnnxSessionSettings onnx = device?.type == DeviceType.CUDA
            ? new OnnxSessionSettings(threads, OnnxDevice.Cuda, device.index < 0 ? 0 : device.index)
            : new OnnxSessionSettings(threads);
        ArgumentNullException.ThrowIfNull(model);
        bool isOnnxFile = model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        switch (backend)
        {
            case "torch" when isOnnxFile:
                throw new ArgumentException($"{model}: an ONNX graph runs with --backend onnx");
            case "torch":
            {
                LoadedDetector loaded = LoadedDetector.Load(model, overrides, configDir, device, precision);
                return new DetectorBackends(new TorchDetectorBackend(loaded.Model, loaded.Config),
                    DatasetDescription.FromConfig(loaded.Config).ClassNames, loaded, null);
            }
            case "onnx" when isOnnxFile:
            {
                OnnxDetectorBackend graph = OnnxDetectorBackend.Open(model, onnx);
                return new DetectorBackends(graph, graph.Detector.Info.ClassNames, null, null);
            }
            case "onnx":
            {
                string path = Path.Combine(Path.GetTempPath(), $"eventssm-{Guid.NewGuid():N}.onnx");
                using (LoadedDetector loaded = LoadedDetector.Load(model, overrides, configDir))
                {
                    OnnxExporter.Export(loaded.Model, loaded.Config, path, new OnnxExportOptions(Source: Path.GetFileName(model)));
                }
                try
                {
                    OnnxDetectorBackend graph = OnnxDetectorBackend.Open(path, onnx);
                    return new DetectorBackends(graph, graph.Detector.Info.ClassNames, null, path);
                }
                catch
                {
                    File.Delete(path);
                    throw;
                }
            }
            default:
                throw new ArgumentException($"--backend {backend}: expected torch or onnx");
        }
    }

    /// <summary>Disposes the backend, the loaded model and any graph exported on the fly.</summary>
    public void Dispose()
    {
        Backend.Dispose();
        _loaded?.Dispose();
        if (_temporary is not null)
        {
            File.Delete(_temporary);
        }
    }

}
