using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Synthetic;
using EventSsm.Tests.Cli;

namespace EventSsm.Tests.Synthetic;

public sealed class SyntheticDatasetTests
{
    [Fact]
    public void SynthCommand_WritesTheGen1RawLayout_Deterministically()
    {
        using TempDir dir = Fixtures.TempDir();
        string a = Path.Combine(dir.Path, "a");
        string b = Path.Combine(dir.Path, "b");
        string[] args = ["--sequences", "3", "--seconds", "0.4", "--seed", "12", "--width", "160", "--height", "120"];
        CliRunner.Run(["synth", a, .. args]);
        CliRunner.Run(["synth", b, .. args]);
        string[] expected =
        [
            "test/synth_0002_bbox.npy", "test/synth_0002_td.dat", "train/synth_0000_bbox.npy", "train/synth_0000_td.dat",
            "val/synth_0001_bbox.npy", "val/synth_0001_td.dat",
        ];
        string[] files = Directory.GetFiles(a, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(a, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, files);
        foreach (string f in expected)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
        }
        EventArray ev = DatFile.ReadAll(Path.Combine(a, "train", "synth_0000_td.dat"));
        Assert.Equal((160, 120), (ev.Width, ev.Height));
        Assert.True(ev.Count > 0);
        BoundingBox[] boxes = BoundingBoxFile.Read(Path.Combine(a, "train", "synth_0000_bbox.npy"));
        SyntheticSequence again = SceneSimulator.Generate(new SceneOptions
        {
            Width = 160, Height = 120, DurationUs = 400_000, Seed = SyntheticDataset.SequenceSeed(12, 0),
        });
        Assert.Equal(again.Labels, boxes);
        Assert.Equal(again.Events.Count, ev.Count);
    }

    [Theory]
    [InlineData(3, 1, 1, 1)]
    [InlineData(5, 3, 1, 1)]
    [InlineData(10, 6, 2, 2)]
    public void SplitCounts_AreAbout60_20_20_WithOneEach(int n, int train, int val, int test)
    {
        Assert.Equal((train, val, test), SyntheticDataset.SplitCounts(n));
    }

    [Fact]
    public void SplitCounts_RejectsFewerThanThree()
    {
        Assert.Throws<ArgumentException>(() => SyntheticDataset.SplitCounts(2));
    }
}
