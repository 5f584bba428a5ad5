using System.Diagnostics;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Tests.Cli;
using EventSsm.Model;
using EventSsm.Training;

namespace EventSsm.Tests.Training;

/// <summary>
/// A real `eventssm train` process is killed with SIGKILL at random moments, including while it writes its
/// checkpoint; the last complete checkpoint must always load, and `--resume` must continue from it.
/// </summary>
public sealed class KillResumeTests
{
    [Fact]
    public void KilledTrainingProcess_LeavesALoadableCheckpoint_AndResumes()
    {
        using TempDir tmp = Fixtures.TempDir();
        string run = tmp.File("run");
        string[] overrides =
        [
            .. TestConfigs.MicroGen1,
            $"dataset.path={Fixtures.Preprocessed.Out()}", "dataset.sequence_length=2", "batch_size.train=2",
            "training.max_steps=400", "training.checkpoint_interval=1", "validation.val_check_interval=100000",
        ];
        var rnd = new Random(3);
        long lastStep = -1;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            string[] args = attempt == 0 ? ["train", .. overrides, "--out", run] : ["train", "--resume", run];
            using Process p = StartCli(args);
            string ckpt = Path.Combine(run, "checkpoints", "last.safetensors");
            var wait = Stopwatch.StartNew();
            while (!File.Exists(ckpt) || (attempt > 0 && MetadataStep(ckpt) <= lastStep))
            {
                // Read stderr only once the process has exited: ReadToEnd on a live process blocks until it ends.
                if (p.HasExited)
                {
                    Assert.Fail($"training exited early: {p.StandardError.ReadToEnd()}");
                }
                Assert.True(wait.Elapsed < TimeSpan.FromMinutes(5), $"attempt {attempt}: no new checkpoint appeared");
                Thread.Sleep(200);
            }
            // Checkpoints are rewritten every step, so a random delay lands inside a write often enough.
            Thread.Sleep(rnd.Next(0, 1500));
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            long step = StepOf(ckpt);
            Assert.True(step > lastStep, $"attempt {attempt}: checkpoint step {step} did not advance past {lastStep}");
            lastStep = step;
        }
    }

    /// <summary>Cheap progress probe: the step in the header only (the full load below checks integrity).</summary>
    private static long MetadataStep(string path)
    {
        try
        {
            return long.Parse(EventSsm.Checkpoints.SafetensorsFile.ReadMetadata(path)["eventssm.step"], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>Loads the checkpoint completely (weights, optimizer, metadata) and returns its step.</summary>
    private static long StepOf(string path)
    {
        ConfigNode cfg = ConfigNode.FromJson(EventSsm.Checkpoints.SafetensorsFile.ReadMetadata(path)[EventSsm.Checkpoints.SafetensorsFile.ConfigMetadataKey]);
        using var model = new YoloXDetector(DetectorOptions.FromConfig(cfg));
        using var optimizer = new AdamWOptimizer(model.named_parameters().Select(p => (p.name, p.parameter)), 1e-3);
        return TrainingCheckpoint.Load(path, model, optimizer).State.Step;
    }

    private static Process StartCli(string[] args)
    {
        var p = Process.Start(CliRunner.ProcessStart(args))!;
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        return p;
    }
}
