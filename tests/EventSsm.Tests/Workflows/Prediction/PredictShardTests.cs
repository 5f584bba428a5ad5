using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Events;
using EventSsm.Inference;
using EventSsm.Streaming;
using EventSsm.Model;
using EventSsm.Synthetic;
using EventSsm.Tests.Datasets;
using EventSsm.Workflows.Prediction;

namespace EventSsm.Tests.Workflows.Prediction;

/// <summary><c>predict DIR --shard i/N</c> (docs/CLUSTER.md): the shards' files together are the unsharded run's.</summary>
public sealed class PredictShardTests
{
    [Fact]
    public void Shards_WriteExactlyTheUnshardedFiles()
    {
        using TempDir tmp = Fixtures.TempDir();
        string recordings = Directory.CreateDirectory(tmp.File("recordings")).FullName;
        for (int i = 0; i < 3; i++)
        {
            SyntheticSequence seq = SceneSimulator.Generate(new SceneOptions { DurationUs = 200_000, Seed = (ulong)(7 + i) });
            DatFile.Write(Path.Combine(recordings, $"rec{i}_td.dat"), seq.Events);
        }
        string checkpoint = tmp.File("micro.safetensors");
        ConfigNode cfg = TestConfigs.Micro("val");
        ConfigModifier.Apply(cfg);
        using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            DetectorCheckpoint.Save(checkpoint, model, cfg);
        }
        PredictOptions Options(string output, Shard shard) => new()
        {
            Checkpoint = checkpoint,
            Input = recordings,
            OutDirectory = output,
            Render = "none",
            Shard = shard,
            // One window per recording; the untrained model scores every anchor about 1e-4.
            Streaming = new StreamingOptions { StepUs = 200_000, WindowUs = 50_000, ConfidenceThreshold = 0.00001 },
        };

        PredictionReport whole = RecordingPredictor.Run(Options(tmp.File("whole"), Shard.All));
        PredictionReport first = RecordingPredictor.Run(Options(tmp.File("sharded"), new Shard(0, 2)));
        PredictionReport second = RecordingPredictor.Run(Options(tmp.File("sharded"), new Shard(1, 2)));

        Assert.Equal(3, whole.Written.Count);
        Assert.True(whole.Written.Sum(w => w.Boxes) > 0);
        // Round-robin over the recordings sorted by name.
        Assert.Equal(["rec0_bbox.npy", "rec2_bbox.npy"], first.Written.Select(w => Path.GetFileName(w.BoxesPath)));
        Assert.Equal(["rec1_bbox.npy"], second.Written.Select(w => Path.GetFileName(w.BoxesPath)));
        ShardTests.AssertSameTree(tmp.File("whole"), tmp.File("sharded"));
    }

    [Fact]
    public void AShardOfOneFile_IsRefused()
    {
        var options = new PredictOptions
        {
            Checkpoint = "unused.safetensors",
            Input = Fixtures.Events.SynthDat,
            OutDirectory = Path.GetTempPath(),
            Shard = new Shard(1, 2),
        };
        ArgumentException e = Assert.Throws<ArgumentException>(() => RecordingPredictor.Run(options));
        Assert.Contains("--shard 1/2", e.Message);
    }
}
