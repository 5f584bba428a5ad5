using EventSsm.Events;
using EventSsm.IO.Numpy;
using EventSsm.Tests.Events;

namespace EventSsm.Tests.Cli;

/// <summary>
/// Every command that takes an event recording gives the same result for .dat, .raw, raw event .h5, Metavision .hdf5
/// and .csv.
/// </summary>
public sealed class EventFormatCommandTests
{

    private static string GoldenDat => Fixtures.Events.SynthDat;

    [Theory]
    [InlineData("a.raw")]
    [InlineData("a_td.dat.h5")]
    [InlineData("a.hdf5")]
    [InlineData("a.csv")]
    public void Represent_OtherFormats_WriteTheGoldenHistograms(string name)
    {
        using TempDir dir = Fixtures.TempDir();
        string input = dir.File(name);
        ConvertGolden(input);
        long[] ends = NpyFile.Read(Fixtures.Events.WindowEnds).ToArray<long>();
        string output = dir.File("hist.npy");
        CliRunner.Run(["represent", input, "--out", output, "--ends-us", string.Join(',', ends)]);
        NpyArray expected = NpzFile.ReadAll(Fixtures.Events.StackedHistogram)["stacked_hist"];
        NpyArray got = NpyFile.Read(output);
        Assert.Equal(expected.Shape, got.Shape);
        Assert.Equal(expected.Data, got.Data);
    }

    [Theory]
    [InlineData("a.raw")]
    [InlineData("a_td.dat.h5")]
    [InlineData("a.hdf5")]
    public void Render_OtherFormats_SameFramesAsTheDat(string name)
    {
        using TempDir dir = Fixtures.TempDir();
        string input = dir.File(name);
        ConvertGolden(input);
        string[] args = ["--step-ms", "500", "--scale", "1", "--max-frames", "6"];
        CliRunner.Run(["render", GoldenDat, "--out", dir.File("dat"), .. args]);
        CliRunner.Run(["render", input, "--out", dir.File("other"), .. args]);
        string[] expected = Directory.GetFiles(dir.File("dat")).Order(StringComparer.Ordinal).ToArray();
        string[] got = Directory.GetFiles(dir.File("other")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(6, expected.Length);
        Assert.Equal(expected.Select(Path.GetFileName), got.Select(Path.GetFileName));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(File.ReadAllBytes(expected[i]), File.ReadAllBytes(got[i]));
        }
    }

    [Fact]
    public void Render_Dat_ThroughEventRecording()
    {
        using TempDir dir = Fixtures.TempDir();
        CliRunner.Run(["render", GoldenDat, "--out", dir.File("png"), "--step-ms", "500", "--scale", "1", "--max-frames", "3"]);
        Assert.Equal(3, Directory.GetFiles(dir.File("png")).Length);
    }

    /// <summary>The golden recording in the format of <paramref name="path"/>; .hdf5 in Metavision's layout (ECF).</summary>
    internal static void ConvertGolden(string path)
    {
        if (!path.EndsWith(".hdf5", StringComparison.Ordinal))
        {
            EventFileConverter.Convert(GoldenDat, path);
            return;
        }
        PropheseeHdf5Files.Write(path, GoldenEvents.Recording);
    }
}
