using System.IO.Compression;
using System.Text;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Checkpoints.Pickle;
using EventSsm.Config;
using EventSsm.Export;
using EventSsm.Inference;
using EventSsm.Tensors;
using EventSsm.Model;
using EventSsm.Tests.Model;
using static TorchSharp.torch;

namespace EventSsm.Tests.Checkpoints;

/// <summary>
/// PyTorch export (docs/MODEL.md §7.1): the golden micro detector written as a .pt state dict and as a Lightning .ckpt,
/// read back by our reader (every tensor bit-equal, keys, metadata, the config) and checked for what torch.load needs.
/// </summary>
public sealed class TorchCheckpointWriterTests
{
    [Fact]
    public void StateDict_ReadsBackBitEqualUnderTheOriginalsKeys()
    {
        using TempDir tmp = Fixtures.TempDir();
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        string pt = tmp.File("micro.pt");
        DetectorCheckpoint.SaveStateDict(pt, model);

        TorchCheckpoint written = TorchCheckpoint.Read(pt);
        TorchCheckpoint golden = TorchCheckpoint.Read(Fixtures.DetectorMicro.Weights);
        string[] goldenKeys = [.. ((PickleDict)golden.Root!).Keys.Cast<string>().Select(k => k["mdl.".Length..])];
        string[] writtenKeys = [.. ((PickleDict)written.Root!).Keys.Cast<string>()];
        Assert.Equal(412, writtenKeys.Length);
        // PyTorch's module order; only the head lists its module lists in another order (stems first), as its fields do.
        Assert.Equal(goldenKeys.Where(k => !k.StartsWith("yolox_head.", StringComparison.Ordinal)),
            writtenKeys.Where(k => !k.StartsWith("yolox_head.", StringComparison.Ordinal)));
        Assert.Equal(goldenKeys.Order(StringComparer.Ordinal), writtenKeys.Order(StringComparer.Ordinal));
        AssertBitEqual(golden.StateDict("mdl."), written.StateDict());
        Assert.Null(written.Epoch);
    }

    [Fact]
    public void StateDict_IsATorchSaveArchiveThatWeightsOnlyLoadingAccepts()
    {
        using TempDir tmp = Fixtures.TempDir();
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        string pt = tmp.File("micro weights.pt");
        DetectorCheckpoint.SaveStateDict(pt, model);

        using ZipArchive zip = ZipFile.OpenRead(pt);
        // torch.save's container: one folder named after the file, records stored uncompressed.
        Assert.All(zip.Entries, e => Assert.StartsWith("micro_weights/", e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        Assert.Equal("micro_weights/data.pkl", zip.Entries[0].FullName);
        Assert.Equal("little", Entry(zip, "micro_weights/byteorder"));
        Assert.Equal("3\n", Entry(zip, "micro_weights/version"));
        Assert.Equal(412, zip.Entries.Count(e => e.FullName.StartsWith("micro_weights/data/", StringComparison.Ordinal)));

        using var pkl = new MemoryStream();
        using (Stream s = zip.GetEntry("micro_weights/data.pkl")!.Open())
        {
            s.CopyTo(pkl);
        }
        PickleOpcodes ops = PickleOpcodes.Walk(pkl.ToArray());
        Assert.Subset(PickleOpcodes.WeightsOnly113.ToHashSet(), ops.Opcodes);
        Assert.Equal(new HashSet<string> { "torch._utils._rebuild_tensor_v2", "collections.OrderedDict", "torch.FloatStorage", "torch.LongStorage" },
            ops.Globals);
        // Saved without autograd history: requires_grad false on every tensor.
        TorchCheckpoint written = TorchCheckpoint.Read(pt);
        Assert.All(((PickleDict)written.Root!).Items, kv => Assert.False(((TorchTensorRecord)kv.Value!).RequiresGrad));
    }

    [Fact]
    public void Lightning_ReadsBackWeightsProgressAndConfig()
    {
        using TempDir tmp = Fixtures.TempDir();
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        ConfigNode config = YoloXDetectorTests.MicroConfig();
        string ckpt = tmp.File("micro.ckpt");
        DetectorCheckpoint.SaveLightning(ckpt, model, new LightningCheckpointInfo(config, Epoch: 7, GlobalStep: 4242));

        TorchCheckpoint written = TorchCheckpoint.Read(ckpt);
        Assert.Equal(7, written.Epoch);
        Assert.Equal(4242, written.GlobalStep);
        Assert.Equal(LightningCheckpointInfo.OriginalLightningVersion, written.LightningVersion);
        PickleDict root = Assert.IsType<PickleDict>(written.Root);
        Assert.Equal(["epoch", "global_step", "pytorch-lightning_version", "state_dict", "hyper_parameters"], root.Keys.Cast<string>());
        Assert.All(((PickleDict)root["state_dict"]!).Keys.Cast<string>(), k => Assert.StartsWith("mdl.", k));
        AssertBitEqual(TorchCheckpoint.LoadStateDict(Fixtures.DetectorMicro.Checkpoint), written.StateDict());

        ConfigNode? back = DetectorCheckpoint.ReadEmbeddedConfig(ckpt);
        Assert.NotNull(back);
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal(config.LeafKeys(), back.LeafKeys());
    }

    [Fact]
    public void Lightning_ConfigKeepsTypesAndTheMissingValue()
    {
        using TempDir tmp = Fixtures.TempDir();
        ConfigNode config = ConfigNode.FromYaml("a: {i: 3, big: 9007199254740993, f: 0.5, neg: -1.0e-08, s: x, n: null, t: true, m: ???}\nl: [1, [2.5, b], {k: v}]\n");
        string ckpt = tmp.File("c.ckpt");
        using Tensor w = arange(Scalars.Of(0), Scalars.Of(6), Scalars.One, float32).reshape(2, 3);
        TorchCheckpointWriter.WriteLightning(ckpt, new Dictionary<string, Tensor> { ["w"] = w }, new LightningCheckpointInfo(config));

        ConfigNode back = DetectorCheckpoint.ReadEmbeddedConfig(ckpt)!;
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal(9007199254740993L, back.GetInt64("a.big"));
        Assert.Equal(-1e-8, back.GetDouble("a.neg"));
        Assert.IsType<ConfigMissing>(back.Get("a.m"));
        Assert.Null(back.Get("a.n"));
    }

    [Fact]
    public void Tensors_NonContiguousViewsAndEveryDtype_ReadBackBitEqual()
    {
        using TempDir tmp = Fixtures.TempDir();
        using DisposeScope scope = NewDisposeScope();
        Tensor baseT = arange(Scalars.Of(0), Scalars.Of(24), Scalars.One, float64).reshape(4, 6);
        var sd = new Dictionary<string, Tensor>
        {
            ["transposed"] = baseT.t(),                              // strides (1, 6)
            ["offset_slice"] = baseT[2..4, 1..5],                    // storage offset 13, not contiguous
            ["half"] = tensor(new float[] { 1.5f, -0f, float.NaN }).to(float16),
            ["bf16"] = tensor(new float[] { 3.25f, -2f }).to(bfloat16),
            ["i32"] = tensor(new[] { int.MinValue, 7 }),
            ["u8"] = tensor(new byte[] { 0, 255 }),
            ["bool"] = tensor(new[] { true, false, true }),
            ["scalar"] = tensor(123L),
            ["empty"] = zeros(0, 3),
            ["param"] = new TorchSharp.Modules.Parameter(ones(2)),
        };
        string pt = tmp.File("mixed.pt");
        TorchCheckpointWriter.WriteStateDict(pt, sd);
        Dictionary<string, Tensor> back = TorchCheckpoint.LoadStateDict(pt);
        Assert.Equal(sd.Keys, back.Keys);
        AssertBitEqual(sd, back);
    }

    [Fact]
    public void ExportedLightningCheckpoint_LoadsWithoutOverridesAndGivesIdenticalOutputs()
    {
        using TempDir tmp = Fixtures.TempDir();
        using DisposeScope scope = NewDisposeScope();
        using YoloXDetector model = YoloXDetectorTests.LoadMicro();
        string ckpt = tmp.File("micro.ckpt");
        PyTorchExporter.Export(model, YoloXDetectorTests.MicroConfig(), ckpt, PyTorchExportFormat.Lightning, Fixtures.DetectorMicro.Checkpoint);
        // The golden checkpoint's progress and Lightning version carry over.
        TorchCheckpoint meta = TorchCheckpoint.ReadMetadata(ckpt);
        Assert.Equal((0L, 123L, "2.2.1"), (meta.Epoch, meta.GlobalStep, meta.LightningVersion));

        using LoadedDetector loaded = LoadedDetector.Load(ckpt);
        using IDisposable noGrad = no_grad();
        Tensor x = NpyTensor.ReadTensor(DetectorMicro.File("x_chunk1.npy")).to(float32);
        (Tensor expected, Tensor[] expectedStates) = model.Forward(x);
        (Tensor actual, Tensor[] actualStates) = loaded.Model.Forward(x);
        Assert.Equal(expected.bytes.ToArray(), actual.bytes.ToArray());
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(expectedStates[i].contiguous().bytes.ToArray(), actualStates[i].contiguous().bytes.ToArray()));
    }

    private static string Entry(ZipArchive zip, string name)
    {
        using var r = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.ASCII);
        return r.ReadToEnd();
    }

    private static void AssertBitEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach ((string key, Tensor e) in expected)
        {
            Tensor a = actual[key];
            Assert.Equal(e.dtype, a.dtype);
            Assert.Equal(e.shape, a.shape);
            Assert.True(a.is_contiguous(), key);
            Assert.Equal(e.contiguous().bytes.ToArray(), a.bytes.ToArray());
        }
    }
}
