using EventSsm.IO.Numpy;

namespace EventSsm.Tests.Cli;

public sealed class RepresentCommandTests
{
    [Fact]
    public void Represent_GoldenWindows_WritesGoldenHistograms()
    {
        long[] ends = NpyFile.Read(Fixtures.Events.WindowEnds).ToArray<long>();
        using TempDir dir = Fixtures.TempDir();
        string output = dir.File("hist.npy");
        CliRunner.Run(["represent", Fixtures.Events.SynthDat,
            "--out", output, "--ends-us", string.Join(',', ends)]);
        NpyArray got = NpyFile.Read(output);
        NpyArray expected = NpzFile.ReadAll(Fixtures.Events.StackedHistogram)["stacked_hist"];
        Assert.Equal(expected.Shape, got.Shape);
        Assert.Equal(expected.Data, got.Data);
    }

    [Fact]
    public void Represent_BadEndList_ExitsWithUserError()
    {
        using TempDir dir = Fixtures.TempDir();
        string error = CliRunner.BadInput(["represent", Fixtures.Events.SynthDat,
            "--out", dir.File("x.npy"), "--ends-us", "1,abc"]);
        Assert.Contains("'abc'", error);
        Assert.False(File.Exists(dir.File("x.npy")));
    }
}
