using System.Globalization;
using System.Reflection;
using EventSsm.Config;
using EventSsm.Export.Proto;
using EventSsm.IO;
using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Model.Ssm;
using EventSsm.Onnx;
using Google.Protobuf;
using static TorchSharp.torch;

namespace EventSsm.Export;

/// <summary>
/// Writes a loaded detector as an ONNX model (opset 17) following <see cref="OnnxContract"/>: the graph is emitted
/// module by module from the model's state dict (<see cref="AttentionEmitter"/>, <see cref="S5Emitter"/>,
/// <see cref="NeckEmitter"/>, <see cref="HeadEmitter"/>, <see cref="NmsEmitter"/>), with the step scale, the frequency
/// mask, the padding and the anchor grid baked in from the config. The metadata records what the runtime needs to
/// feed the graph (sizes, representation, thresholds) and to recognise the file as ours.
/// </summary>
public static class OnnxExporter
{
    /// <summary>Builds the model proto. <paramref name="config"/> is the resolved config the detector was built from.</summary>
    internal static ModelProto Build(YoloXDetector model, ConfigNode config, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DetectorOptions o = model.Options;
        if (o.Backbone.Recurrent != RecurrentLayer.S5)
        {
            throw new NotSupportedException("ONNX export supports the S5 backbone (model.backbone.recurrent=s5) only");
        }
        bool chunk = options.Mode == OnnxExportMode.Chunk;
        long length = chunk ? options.Length : 1;
        // A stream graph always carries the state; a chunk graph uses the checkpoint's state mode.
        // Reference semantics start each chunk from zero whatever state comes in (docs/MODEL.md §3.4); the state inputs
        // stay declared so that every graph has the same signature.
        bool carry = !chunk || o.Backbone.StateMode == S5StateMode.Carry;
        int[] inputHw = ConfigModifier.DataLoadingHw(config);
        long channels = o.Backbone.InputChannels;
        (long hp, long wp) = (o.InputHeight, o.InputWidth);
        if (inputHw[0] > hp || inputHw[1] > wp)
        {
            throw new ArgumentException($"input {inputHw[0]}×{inputHw[1]} is larger than the model's {hp}×{wp}");
        }

        Dictionary<string, Tensor> weights = model.state_dict();
        var graph = new OnnxGraphBuilder(chunk ? "eventssm_chunk" : "eventssm_stream");
        var ctx = new OnnxEmitContext(graph, weights);
        int stages = o.Backbone.StageCount;
        (long H, long W)[] sizes = [.. Enumerable.Range(0, stages).Select(i => (hp / o.Backbone.StageStride(i), wp / o.Backbone.StageStride(i)))];
        long[] stateChannels = [.. Enumerable.Range(0, stages).Select(i => 2L * o.Backbone.StageDim(i))];

        string x = chunk
            ? ctx.Reshape(graph.Input(OnnxContract.ChunkInput, [length, null, channels, inputHw[0], inputHw[1]]), -1, channels, inputHw[0], inputHw[1])
            : graph.Input(OnnxContract.WindowInput, [null, channels, inputHw[0], inputHw[1]]);
        var states = new string[stages];
        for (int i = 0; i < stages; i++)
        {
            states[i] = graph.Input(OnnxContract.StateInput(i), [null, stateChannels[i], sizes[i].H, sizes[i].W]);
        }
        if (inputHw[0] != hp || inputHw[1] != wp)
        {
            // Zeros at the bottom and right only, as the original's InputPadderFromShape.
            x = ctx.Node("Pad", [x, graph.Int64s(0, 0, 0, 0, 0, 0, hp - inputHw[0], wp - inputHw[1])], OnnxAttribute.Of("mode", "constant"));
        }

        var features = new string[stages];
        var newStates = new string[stages];
        for (int i = 0; i < stages; i++)
        {
            string prefix = $"backbone.stages.{i}";
            int factor = i == 0 ? o.Backbone.StemPatchSize : 2;
            long c = o.Backbone.StageDim(i);
            string y = AttentionEmitter.Downsample(ctx, x, prefix + ".downsample_cf2cl", factor);
            for (int j = 0; j < o.Backbone.NumBlocks[i]; j++)
            {
                y = AttentionEmitter.AttentionPair(ctx, y, $"{prefix}.att_blocks.{j}", sizes[i].H, sizes[i].W, c,
                    o.Backbone.PartitionSize, o.Backbone.DimHead);
            }
            (features[i], newStates[i]) = S5Emitter.Block(ctx, y, prefix + ".s5_block", length, sizes[i].H, sizes[i].W, c,
                states[i], carry, o.Backbone);
            x = features[i];
        }

        string[] fpnIn = [.. o.Fpn.InStages.Select(s => features[s - 1])];
        string[] pan = NeckEmitter.Pafpn(ctx, fpnIn, "fpn", o.Fpn.BottlenecksPerCsp);
        (long H, long W)[] headSizes = [.. o.Fpn.InStages.Select(s => sizes[s - 1])];
        string head = HeadEmitter.Decoded(ctx, pan, headSizes, o.Head.Strides, o.Head.NumClasses, "yolox_head");
        long anchors = headSizes.Sum(s => s.H * s.W);
        float boxScale = config.GetBool("dataset.downsample_by_factor_2") ? 2f : 1f;
        if (options.Nms)
        {
            string boxes = NmsEmitter.Boxes(ctx, head, anchors, o.Head.NumClasses, o.ConfidenceThreshold, o.NmsThreshold, boxScale);
            graph.Output(boxes, OnnxContract.BoxesOutput, [null, OnnxContract.BoxColumns], "detections");
        }
        else
        {
            graph.Output(head, OnnxContract.HeadOutput, [null, anchors, 5 + o.Head.NumClasses], chunk ? "frames" : "batch");
        }
        for (int i = 0; i < stages; i++)
        {
            graph.Output(newStates[i], OnnxContract.StateOutput(i), [null, stateChannels[i], sizes[i].H, sizes[i].W]);
        }

        var proto = new ModelProto
        {
            IrVersion = OnnxExportOptions.IrVersion,
            ProducerName = OnnxContract.Producer,
            ProducerVersion = typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
            Domain = "org.eventssm",
            ModelVersion = 1,
            DocString = "EventSsm S5-ViT event-camera detector; contract in the EventSsm README (Deploy with ONNX).",
            Graph = graph.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExportOptions.Opset });
        foreach ((string key, string value) in Metadata(model, config, options, inputHw, hp, wp, stateChannels, sizes, anchors))
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        return proto;
    }

    /// <summary>Builds the model and writes it to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Export(YoloXDetector model, ConfigNode config, string path, OnnxExportOptions options)
    {
        ModelProto proto = Build(model, config, options);
        AtomicFile.Write(path, s => proto.WriteTo(s));
    }

    private static IEnumerable<(string Key, string Value)> Metadata(YoloXDetector model, ConfigNode config, OnnxExportOptions options,
        int[] inputHw, long hp, long wp, long[] stateChannels, (long H, long W)[] sizes, long anchors)
    {
        DetectorOptions o = model.Options;
        static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        int[] sensor = config.GetIntList("dataset.resolution_hw");
        yield return (OnnxContract.ContractKey, OnnxContract.Version);
        yield return (OnnxContract.ModeKey, options.Mode == OnnxExportMode.Chunk ? "chunk" : "stream");
        yield return (OnnxContract.LengthKey, (options.Mode == OnnxExportMode.Chunk ? options.Length : 1).ToString(CultureInfo.InvariantCulture));
        yield return (OnnxContract.NmsKey, options.Nms ? "true" : "false");
        yield return (OnnxContract.InputHwKey, $"{inputHw[0]},{inputHw[1]}");
        yield return (OnnxContract.ModelHwKey, $"{hp},{wp}");
        yield return (OnnxContract.SensorHwKey, $"{sensor[0]},{sensor[1]}");
        yield return (OnnxContract.DownsampleKey, config.GetBool("dataset.downsample_by_factor_2") ? "true" : "false");
        yield return (OnnxContract.ChannelsKey, o.Backbone.InputChannels.ToString(CultureInfo.InvariantCulture));
        yield return (OnnxContract.NumClassesKey, o.Head.NumClasses.ToString(CultureInfo.InvariantCulture));
        yield return (OnnxContract.AnchorsKey, anchors.ToString(CultureInfo.InvariantCulture));
        yield return (OnnxContract.StateShapesKey, string.Join(";", stateChannels.Select((c, i) => $"{c},{sizes[i].H},{sizes[i].W}")));
        yield return (OnnxContract.RecurrentKey, "s5");
        yield return (OnnxContract.StateModeKey, options.Mode == OnnxExportMode.Chunk && o.Backbone.StateMode == S5StateMode.Reference ? "reference" : "carry");
        yield return (OnnxContract.StepScaleKey, Num(o.Backbone.StepScale));
        yield return (OnnxContract.MaskKey, o.Backbone.Mask == S5MaskMode.Off ? "off" : $"on,{Num(o.Backbone.MaskBandlimit)}");
        yield return (OnnxContract.DatasetKey, config.TryGet("dataset.name", out object? name) && name is string n ? n : "");
        yield return (OnnxContract.RepresentationKey, config.TryGet("dataset.ev_repr_name", out object? repr) && repr is string r ? r : "");
        yield return (OnnxContract.ConfidenceKey, Num(o.ConfidenceThreshold));
        yield return (OnnxContract.NmsThresholdKey, Num(o.NmsThreshold));
        if (options.Source is not null)
        {
            yield return (OnnxContract.SourceKey, options.Source);
        }
    }
}
