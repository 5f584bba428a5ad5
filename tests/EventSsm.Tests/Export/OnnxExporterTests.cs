using EventSsm.Config;
using EventSsm.Detections;
using EventSsm.Export;
using EventSsm.Export.Proto;
using EventSsm.Tensors;
using EventSsm.Model;
using EventSsm.Onnx;
using EventSsm.Tests.Model;
using Google.Protobuf;
using static TorchSharp.torch;

namespace EventSsm.Tests.Export;

/// <summary>
/// The exported graphs: structure (the rules onnx.checker enforces, plus ONNX Runtime's own full validation on load),
/// the published signature and metadata, the chunk graph against the golden chunked runs, the NMS graph against the
/// managed postprocess, and one-line errors for foreign files and wrong inputs.
/// </summary>
public sealed class OnnxExporterTests
{
    [Theory]
    [InlineData(OnnxExportMode.Stream, false)]
    [InlineData(OnnxExportMode.Chunk, false)]
    [InlineData(OnnxExportMode.Stream, true)]
    public void ExportedGraphs_PassTheStructuralChecks_AndDeclareTheContract(OnnxExportMode mode, bool nms)
    {
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        ModelProto proto = OnnxExporter.Build(model, YoloXDetectorTests.MicroConfig(), new OnnxExportOptions(mode, Length: 3, Nms: nms));
        Assert.Empty(OnnxStructure.Violations(proto));
        Assert.Equal(OnnxExportOptions.Opset, proto.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.True(proto.OpsetImport.Single().Version >= 17);
        string input = mode == OnnxExportMode.Chunk ? OnnxContract.ChunkInput : OnnxContract.WindowInput;
        Assert.Equal([input, "state1", "state2", "state3", "state4"], proto.Graph.Input.Select(i => i.Name));
        Assert.Equal([nms ? OnnxContract.BoxesOutput : OnnxContract.HeadOutput, "state1_out", "state2_out", "state3_out", "state4_out"],
            proto.Graph.Output.Select(o => o.Name));
        // State 1 of the micro model: (B, 2·16, 32, 32).
        Assert.Equal(["batch", "32", "32", "32"], Dims(proto.Graph.Input[1]));
        Assert.Equal(mode == OnnxExportMode.Chunk ? ["3", "batch", "20", "128", "128"] : ["batch", "20", "128", "128"], Dims(proto.Graph.Input[0]));
        Dictionary<string, string> meta = proto.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(OnnxContract.Version, meta[OnnxContract.ContractKey]);
        Assert.Equal(mode == OnnxExportMode.Chunk ? "reference" : "carry", meta[OnnxContract.StateModeKey]);
        Assert.Equal("336", meta[OnnxContract.AnchorsKey]);
        Assert.Equal("32,32,32;64,16,16;128,8,8;256,4,4", meta[OnnxContract.StateShapesKey]);
        Assert.Equal("[\"car\",\"pedestrian\"]", meta[OnnxContract.ClassNamesKey]); // the config's dataset.classes
    }

    [Fact]
    public void StructuralChecker_FindsUnsortedNodesDuplicateValuesAndBadAttributes()
    {
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        ModelProto proto = OnnxExporter.Build(model, YoloXDetectorTests.MicroConfig(), new OnnxExportOptions());
        ModelProto swapped = proto.Clone();
        NodeProto first = swapped.Graph.Node[0];
        swapped.Graph.Node.RemoveAt(0);
        swapped.Graph.Node.Add(first);
        Assert.Contains(OnnxStructure.Violations(swapped), e => e.Contains("before it is defined", StringComparison.Ordinal));
        ModelProto duplicate = proto.Clone();
        duplicate.Graph.Node[1].Output[0] = duplicate.Graph.Node[0].Output[0];
        Assert.Contains(OnnxStructure.Violations(duplicate), e => e.Contains("defined more than once", StringComparison.Ordinal));
        ModelProto badAttribute = proto.Clone();
        badAttribute.Graph.Node.First(n => n.Attribute.Count > 0).Attribute[0].Type = AttributeProto.Types.AttributeType.String;
        Assert.Contains(OnnxStructure.Violations(badAttribute), e => e.Contains("does not match", StringComparison.Ordinal));
        ModelProto noOpset = proto.Clone();
        noOpset.OpsetImport.Clear();
        Assert.NotEmpty(OnnxStructure.Violations(noOpset));
    }

    [Fact]
    public void ChunkGraph_ReferenceMode_ReproducesTheGoldenChunkedRuns()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = ExportMicro(tmp, "chunk.onnx", new OnnxExportOptions(OnnxExportMode.Chunk, Length: 3));
        using OnnxDetector onnx = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2));
        Assert.True(onnx.Info.Chunk);
        Assert.Equal("reference", onnx.Info.StateMode);
        // Reference semantics: chunk 2 fed chunk 1's states equals chunk 2 from zero (docs/MODEL.md §3.4).
        foreach ((string x, string golden) in new[] { ("x_chunk1.npy", "chunk1"), ("x_chunk2.npy", "chunk2_reference") })
        {
            float[] head = onnx.Run(Floats(x), [3, 2, 20, 128, 128]);
            FloatAssert.Close(Floats($"{golden}_head_outputs.npy"), head, 2e-4, 2e-4, golden);
        }
    }

    [Fact]
    public void ChunkGraph_CarryMode_ContinuesFromTheIncomingStates()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = tmp.File("chunk_carry.onnx");
        using (YoloXDetector model = YoloXDetectorTests.LoadMicro("model.ckpt", "model.backbone.s5.state_mode=carry"))
        {
            OnnxExporter.Export(model, YoloXDetectorTests.MicroConfig("model.backbone.s5.state_mode=carry"), path,
                new OnnxExportOptions(OnnxExportMode.Chunk, Length: 3));
        }
        using OnnxDetector onnx = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2));
        Assert.Equal("carry", onnx.Info.StateMode);
        FloatAssert.Close(Floats("chunk1_head_outputs.npy"), onnx.Run(Floats("x_chunk1.npy"), [3, 2, 20, 128, 128]), 2e-4, 2e-4, "chunk1");
        FloatAssert.Close(Floats("chunk2_carry_head_outputs.npy"), onnx.Run(Floats("x_chunk2.npy"), [3, 2, 20, 128, 128]), 2e-4, 2e-4, "chunk2_carry");
    }

    [Fact]
    public void NmsGraph_GivesTheManagedPostprocessBoxesInProphéseeLayout()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = tmp.File("nms.onnx");
        string headPath = tmp.File("head.onnx");
        using (YoloXDetector model = YoloXDetectorTests.LoadMicro())
        {
            ConfigNode cfg = YoloXDetectorTests.MicroConfig();
            OnnxExporter.Export(model, cfg, path, new OnnxExportOptions(Nms: true));
            OnnxExporter.Export(model, cfg, headPath, new OnnxExportOptions());
        }
        using OnnxDetector nms = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2));
        using OnnxDetector head = OnnxDetector.Open(headPath, new OnnxSessionSettings(Threads: 2));
        float[] x = Floats("x_chunk1.npy");
        int frame = x.Length / 6;
        int total = 0;
        for (int t = 0; t < 3; t++)
        {
            float[] window = x[(2 * t * frame)..(2 * (t + 1) * frame)];
            float[] rows = nms.Run(window, [2, 20, 128, 128]);
            IReadOnlyList<Detection>[] expected = Postprocess.Run(head.Run(window, [2, 20, 128, 128]), 2, 336, 7,
                DetectorMicro.ConfidenceThreshold, DetectorMicro.NmsThreshold);
            Assert.Equal(expected.Sum(f => f.Count), rows.Length / OnnxContract.BoxColumns);
            int r = 0;
            for (int b = 0; b < 2; b++)
            {
                foreach (Detection d in expected[b])
                {
                    ReadOnlySpan<float> row = rows.AsSpan(r++ * OnnxContract.BoxColumns, OnnxContract.BoxColumns);
                    float[] want = [b, d.X1, d.Y1, d.X2 - d.X1, d.Y2 - d.Y1, d.ClassId, d.ClassConf];
                    FloatAssert.Close(want, row, 1e-4, 1e-4, $"t={t} row {r - 1}");
                }
            }
            total += r;
        }
        Assert.True(total > 10, $"only {total} boxes: too few to compare");
    }

    /// <summary>Sleeping idle threads (the benchmark's interleaved loop) change the threading, not the arithmetic.</summary>
    [Fact]
    public void SessionWithoutSpinning_StreamsTheSameHeadOutputs()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = ExportMicro(tmp, "micro.onnx", new OnnxExportOptions());
        using OnnxDetector spinning = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2));
        using OnnxDetector sleeping = OnnxDetector.Open(path, new OnnxSessionSettings(Threads: 2, AllowSpinning: false));
        float[] x = Floats("x_chunk1.npy");
        int frame = x.Length / 6;
        for (int t = 0; t < 3; t++)
        {
            float[] window = x[(2 * t * frame)..(2 * (t + 1) * frame)];
            Assert.Equal(spinning.Run(window, [2, 20, 128, 128]), sleeping.Run(window, [2, 20, 128, 128]));
        }
    }

    [Fact]
    public void WrongInputSize_NamesTheFileAndTheExpectedShape()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = ExportMicro(tmp, "micro.onnx", new OnnxExportOptions());
        using OnnxDetector onnx = OnnxDetector.Open(path);
        OnnxModelException e = Assert.Throws<OnnxModelException>(() => onnx.Run(new float[20 * 64 * 64], [1, 20, 64, 64]));
        Assert.Equal($"{path}: input 'window' is (1, 20, 64, 64), expected (B, 20, 128, 128)", e.Message);
    }

    [Fact]
    public void ForeignFiles_AreRejectedInOneLine()
    {
        using TempDir tmp = Fixtures.TempDir();
        // A valid ONNX model that is not ours: y = x + 1.
        var foreign = new ModelProto { IrVersion = 8, ProducerName = "someone-else", Graph = new GraphProto { Name = "g" } };
        foreign.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        var builder = new OnnxGraphBuilder("g");
        string xIn = builder.Input("x", [1, 3]);
        builder.Output(builder.Node("Add", [xIn, builder.Scalar("one", 1f)]), "y", [1, 3]);
        foreign.Graph = builder.Graph;
        string foreignPath = tmp.File("foreign.onnx");
        File.WriteAllBytes(foreignPath, foreign.ToByteArray());
        OnnxModelException notOurs = Assert.Throws<OnnxModelException>(() => OnnxDetector.Open(foreignPath));
        Assert.StartsWith($"{foreignPath}: not an EventSsm detector graph", notOurs.Message);
        Assert.DoesNotContain('\n', notOurs.Message);

        string garbage = tmp.File("garbage.onnx");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        OnnxModelException bad = Assert.Throws<OnnxModelException>(() => OnnxDetector.Open(garbage));
        Assert.StartsWith($"{garbage}: ONNX Runtime cannot load it", bad.Message);
        Assert.DoesNotContain('\n', bad.Message);
    }

    [Fact]
    public void CudaDevice_WithoutAGpuBuildOrLibraries_SaysWhatIsMissing()
    {
        using TempDir tmp = Fixtures.TempDir();
        string path = ExportMicro(tmp, "micro.onnx", new OnnxExportOptions());
        string[] missing = CudaProvider.MissingLibraries();
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => OnnxDetector.Open(path, new OnnxSessionSettings(Device: OnnxDevice.Cuda)));
        Assert.Contains("the CUDA execution provider is not available", e.Message);
        // The default build is the CPU one, and this machine has no CUDA: the message names both causes.
        Assert.False(CudaProvider.IsGpuBuild());
        Assert.Contains("this build uses the CPU ONNX Runtime; rebuild with `dotnet build -p:EventSsmOnnxGpu=true`", e.Message);
        Assert.All(missing, lib => Assert.Contains(lib, e.Message));
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>The golden micro detector exported to <paramref name="name"/> in <paramref name="tmp"/>; its path.</summary>
    internal static string ExportMicro(TempDir tmp, string name, OnnxExportOptions options)
    {
        string path = tmp.File(name);
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        OnnxExporter.Export(model, YoloXDetectorTests.MicroConfig(), path, options);
        return path;
    }

    private static float[] Floats(string golden)
    {
        using Tensor t = NpyTensor.ReadTensor(DetectorMicro.File(golden));
        return OnnxExportGoldenTests.ToFloats(t);
    }

    private static string[] Dims(ValueInfoProto v) =>
        [.. v.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : d.DimValue.ToString())];
}
