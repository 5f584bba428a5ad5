using EventSsm.Synthetic;

namespace EventSsm.Tests.Cli;

/// <summary><c>eventssm train</c> then <c>validate</c> of its training checkpoint, on data with a non-default representation name.</summary>
public sealed class TrainCommandTests
{
    [Fact]
    public void Train_ReadsTheConfiguredRepresentation_AndItsLastCheckpointValidates()
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
            "--seed", "1", "--out", run, "--config-dir", TestConfigs.Directory]);

        Assert.Contains("step 2/2", output);
        Assert.Contains("AP", output); // the final validation ran on the val split
        string last = Path.Combine(run, "checkpoints", "last.safetensors");
        Assert.True(File.Exists(last), output);

        // last.safetensors also holds the optimizer and stream states (__ entries); inference loaders skip them.
        string validated = CliRunner.Run([
            "validate", .. TestConfigs.MicroGen1,
            "dataset.sequence_length=2", "batch_size.eval=1", "hardware.num_workers.eval=0", $"dataset.path={pre}",
            "dataset.ev_repr_name=stacked_histogram_dt=50_nbins=10_step=50", $"checkpoint={last}", "--json"]);
        Assert.Contains("\"AP\"", validated);
    }
}
