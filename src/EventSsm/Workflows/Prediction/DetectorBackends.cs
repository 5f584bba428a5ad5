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

    private DetectorBackends(IDetectorBackend backend, DatasetKind kind, LoadedDetector? loaded, string? temporary)
    {
        Backend = backend;
        Kind = kind;
        _loaded = loaded;
        _temporary = temporary;
    }

    public IDetectorBackend Backend { get; }

    /// <summary>The dataset the model was trained on (class names, rendering).</summary>
    public DatasetKind Kind { get; }

    /// <param name="backend">torch or onnx.</param>
    /// <param name="model">A checkpoint (.ckpt, .pt, .npz, .safetensors) or, for onnx, an exported .onnx graph.</param>
    /// <param name="device">Where the model runs: a torch device, or for onnx the CPU or a CUDA device (the GPU build).</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (0 = one per core); torch's are process-wide, set by the caller.</param>
    public static DetectorBackends Open(string backend, string model, IReadOnlyList<string>? overrides = null, string? configDir = null,
        Device? device = null, int threads = 0)
    {
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
                LoadedDetector loaded = LoadedDetector.Load(model, overrides, configDir, device);
                return new DetectorBackends(new TorchDetectorBackend(loaded.Model, loaded.Config),
                    DatasetInfo.Parse(loaded.Config.GetString("dataset.name")), loaded, null);
            }
            case "onnx" when isOnnxFile:
            {
                OnnxDetectorBackend graph = OnnxDetectorBackend.Open(model, onnx);
                return new DetectorBackends(graph, ParseKind(graph.Detector.Info), null, null);
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
                    return new DetectorBackends(graph, ParseKind(graph.Detector.Info), null, path);
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

    public void Dispose()
    {
        Backend.Dispose();
        _loaded?.Dispose();
        if (_temporary is not null)
        {
            File.Delete(_temporary);
        }
    }

    private static DatasetKind ParseKind(OnnxModelInfo info) =>
        info.Dataset.Length > 0 ? DatasetInfo.Parse(info.Dataset) : throw new OnnxModelException(info.Path, "metadata names no dataset");
}
