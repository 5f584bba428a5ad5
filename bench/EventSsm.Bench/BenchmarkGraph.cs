using EventSsm.Config;
using EventSsm.Export;
using EventSsm.Model;
using EventSsm.Workflows.Benchmarks;
using static TorchSharp.torch;

namespace EventSsm.Bench;

/// <summary>
/// The ONNX stream graph of the benchmark's model (<c>eventssm benchmark</c>'s: Gen1 <c>model</c> size at 256×320,
/// random weights from seed 0, then the config overrides), as the ONNX tools time it.
/// </summary>
internal static class BenchmarkGraph
{
    public static void Export(string configs, string model, IReadOnlyList<string> overrides, string path)
    {
        manual_seed(0);
        using YoloXDetector detector = DetectorBenchmark.CreateModel(configs, model, 256, 320, overrides: overrides);
        ConfigNode cfg = ConfigComposer.Compose(configs, "train",
            ["dataset=gen1", $"+experiment/gen1={model}.yaml", "dataset.resolution_hw=[256,320]", .. overrides]);
        ConfigModifier.Apply(cfg);
        OnnxExporter.Export(detector, cfg, path, new OnnxExportOptions());
    }
}
