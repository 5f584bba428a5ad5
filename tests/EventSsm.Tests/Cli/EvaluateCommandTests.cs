using System.Text.Json;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.IO.Numpy;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Tests.Evaluation;

namespace EventSsm.Tests.Cli;

public sealed class EvaluateCommandTests
{
    public static TheoryData<string> CasesWithDetections => new()
    {
        "gen1_per_sequence", "gen1_per_frame", "gen4_ds2_per_sequence", "gen4_ds2_per_frame", "gen4_fullres_per_sequence",
        "gen1_no_detections_per_sequence",
    };

    [Theory]
    [MemberData(nameof(CasesWithDetections))]
    public void Json_FolderPairs_MatchGolden(string name)
    {
        GoldenEvalCase c = GoldenEvalCase.Get(name);
        using TempDir tmp = Fixtures.TempDir();
        (string gtDir, string dtDir) = CopyAsBboxPairs(c, tmp);
        var args = new List<string> { "evaluate", "--dataset", c.Dataset, gtDir, dtDir, "--json" };
        if (c.DownsampledBy2)
        {
            args.Add("--downsample2");
        }
        if (c.Mode == EvaluationMode.PerFrame)
        {
            args.Add("--per-frame");
        }
        string output = CliRunner.Run([.. args]);
        using JsonDocument doc = JsonDocument.Parse(output);
        JsonElement root = doc.RootElement;
        string[] keys = ["AP", "AP_50", "AP_75", "AP_S", "AP_M", "AP_L", "AR_1", "AR_10", "AR_100", "AR_S", "AR_M", "AR_L"];
        double[] expected = c.Stats12 ?? [.. c.Metrics, 0, 0, 0, 0, 0, 0];
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.True(Math.Abs(root.GetProperty(keys[i]).GetDouble() - expected[i]) <= 1e-6, $"{keys[i]}");
        }
        IReadOnlyList<string> classes = TestDatasets.Named(c.Dataset).ClassNames;
        Assert.Equal(classes, root.GetProperty("per_class_AP").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Table_NamesEveryStatAndClass()
    {
        GoldenEvalCase c = GoldenEvalCase.Get("gen4_ds2_per_sequence");
        using TempDir tmp = Fixtures.TempDir();
        (string gtDir, string dtDir) = CopyAsBboxPairs(c, tmp);
        string output = CliRunner.Run("evaluate", "--dataset", "gen4", "--downsample2", gtDir, dtDir);
        Assert.Contains("4 file pairs", output);
        Assert.Equal(6, output.Split('\n').Count(l => l.Contains("Average Precision", StringComparison.Ordinal)));
        Assert.Equal(6, output.Split('\n').Count(l => l.Contains("Average Recall", StringComparison.Ordinal)));
        // two-wheeler has no ground truth at all: its AP is undefined (−1), as in COCOeval.
        Assert.Contains(" AP two-wheeler ", output);
        Assert.Contains("= -1.000", output);
    }

    [Fact]
    public void MissingTwin_IsBadInputNamingTheFile()
    {
        GoldenEvalCase c = GoldenEvalCase.Get("gen1_per_sequence");
        using TempDir tmp = Fixtures.TempDir();
        (string gtDir, string dtDir) = CopyAsBboxPairs(c, tmp);
        File.Delete(Path.Combine(dtDir, "seq02_bbox.npy"));
        string error = CliRunner.BadInput("evaluate", "--dataset", "gen1", gtDir, dtDir);
        Assert.Contains("seq02_bbox.npy", error);
    }

    [Fact]
    public void WrongDtype_IsBadInputNamingTheFile()
    {
        GoldenEvalCase c = GoldenEvalCase.Get("gen1_per_sequence");
        using TempDir tmp = Fixtures.TempDir();
        (string gtDir, string dtDir) = CopyAsBboxPairs(c, tmp);
        NpyFile.Write(Path.Combine(dtDir, "seq01_bbox.npy"), NpyArray.FromArray(new long[] { 1, 2, 3 }, 3));
        string error = CliRunner.BadInput("evaluate", "--dataset", "gen1", gtDir, dtDir);
        Assert.Contains("seq01_bbox.npy", error);
    }

    [Fact]
    public void ClassOutsideDataset_IsBadInputNamingTheFile()
    {
        // gen4 files hold class ids 0..2; gen1 has only 0 (car) and 1 (pedestrian).
        GoldenEvalCase c = GoldenEvalCase.Get("gen4_ds2_per_sequence");
        using TempDir tmp = Fixtures.TempDir();
        (string gtDir, string dtDir) = CopyAsBboxPairs(c, tmp);
        string error = CliRunner.BadInput("evaluate", "--dataset", "gen1", gtDir, dtDir);
        Assert.Contains("class_id 2", error);
        Assert.Contains("seq00_bbox.npy", error);
    }

    private static (string GtDir, string DtDir) CopyAsBboxPairs(GoldenEvalCase c, TempDir tmp)
    {
        string gtDir = Directory.CreateDirectory(tmp.File("gt")).FullName;
        string dtDir = Directory.CreateDirectory(tmp.File("dt")).FullName;
        // Reverse the copy order: the command must pair and order by name, not by directory listing.
        for (int i = c.GtFiles.Length - 1; i >= 0; i--)
        {
            string name = $"seq{i:00}_bbox.npy";
            File.Copy(c.GtFiles[i], Path.Combine(gtDir, name));
            File.Copy(c.DtFiles[i], Path.Combine(dtDir, name));
        }
        return (gtDir, dtDir);
    }
}
