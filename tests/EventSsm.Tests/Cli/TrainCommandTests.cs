using EventSsm.Config;
using EventSsm.Synthetic;
using EventSsm.Tests.Training;
using EventSsm.Training;

namespace EventSsm.Tests.Cli;

/// <summary>
/// <c>eventssm train</c> with validation, <c>--resume</c>, and <c>validate</c> of its training checkpoint, on data with
/// a non-default representation name; metrics.csv stays one CSV across the resume.
/// </summary>
public sealed class TrainCommandTests
{
    [Fact]
    public void Train_Resume_OneCsvHeader_AndItsLastCheckpointValidates()
    {
        using TempDir tmp = Fixtures.TempDir();
        string raw = Path.Combine(tmp.Path, "raw");
        string pre = Path.Combine(tmp.Path, "pre");
        string run = Path.Combine(tmp.Path, "run");
        SyntheticDataset.Write(raw, 3, new SceneOptions { DurationUs = 1_500_000, Seed = 2, InitialCars = 2, InitialPedestrians = 1 });
        // --true-rate writes only stacked_histogram_dt=50_nbins=10_step=50, so reading the default name anywhere fails.
        CliRunner.Run("preprocess", raw, pre, "--dataset", "gen1", "--true-rate");

        string output = CliRunner.Run([
            "train", .. TestConfigs.MicroGen1,
            "dataset.sequence_length=2", "batch_size.train=2", "batch_size.eval=1", "hardware.num_workers.train=0", "hardware.num_workers.eval=0",
            $"dataset.path={pre}", "dataset.ev_repr_name=stacked_histogram_dt=50_nbins=10_step=50", "training.max_steps=2",
            "validation.val_check_interval=1", "training.checkpoint_interval=1",
            "--seed", "1", "--out", run, "--config-dir", TestConfigs.Directory, "--threads", "1"]);

        Assert.Contains("step 2/2", output);
        Assert.Contains("it/s  ETA ", output);
        Assert.Contains("; glibc malloc", output); // the allocator the run trains with (--allocator)
        Assert.Contains("AP", output); // the final validation ran on the val split
        string last = Path.Combine(run, "checkpoints", "last.safetensors");
        Assert.True(File.Exists(last), output);

        // Extend the finished run by two steps and resume it: the saved config is the run's.
        string saved = Path.Combine(run, "config.yaml");
        ConfigNode cfg = ConfigNode.Load(saved);
        cfg.Set("training.max_steps", 4L);
        File.WriteAllText(saved, cfg.ToYaml());
        Assert.Contains("step 4/4", CliRunner.Run("train", "--resume", run, "--threads", "1"));

        MetricsCsv csv = MetricsCsv.Read(Path.Combine(run, RunLog.CsvName));
        Assert.Equal(["step", "train/loss", "train/lr", "train/steps_per_s", "val/AP", "val/AP_50", "val/AP_75", "val/AP_car",
            "val/AP_pedestrian"], csv.Columns);
        Assert.Equal([2L, 4], csv.StepsWith("train/loss"));
        Assert.Equal([1L, 2, 3, 4], csv.StepsWith("val/AP"));
        Assert.All(csv.Rows, r => Assert.True(r["val/AP"] is null || r["val/AP"] is >= 0 and <= 1));

        // last.safetensors also holds the optimizer and stream states (__ entries); inference loaders skip them.
        string validated = CliRunner.Run([
            "validate", .. TestConfigs.MicroGen1,
            "dataset.sequence_length=2", "batch_size.eval=1", "hardware.num_workers.eval=0", $"dataset.path={pre}",
            "dataset.ev_repr_name=stacked_histogram_dt=50_nbins=10_step=50", "--checkpoint", last, "--json"]);
        Assert.Contains("\"AP\"", validated);
    }

    [Fact]
    public void Train_OnAMissingDataset_IsOneLine_AndMakesNoRunFolder()
    {
        using TempDir tmp = Fixtures.TempDir();
        string data = Path.Combine(tmp.Path, "nowhere");
        string run = Path.Combine(tmp.Path, "run");

        string line = CliRunner.BadInput([
            "train", .. TestConfigs.MicroGen1, $"dataset.path={data}", "--out", run, "--config-dir", TestConfigs.Directory,
            "--threads", "1"]);

        Assert.Equal($"error: {data}: no 'train' split directory (expected {Path.Combine(data, "train")})", line);
        Assert.False(Directory.Exists(run), "a failed start left a run folder behind");
    }
}
