using EventSsm.Datasets;

namespace EventSsm.Tests.Datasets;

/// <summary>Finding sequences in the raw layouts of docs/DATA.md §8.7, on the committed dataset fixtures.</summary>
public sealed class RawSequenceFilesTests
{
    private static readonly RawLayout s_etram = TestDatasets.Named("etram").Raw;

    [Fact]
    public void Etram_SplitFoldersWithSuffixes_MakeOneSplit()
    {
        IReadOnlyList<RawSequenceFiles> train = RawSequenceFiles.Find(Fixtures.Datasets.Etram, "train", s_etram);

        Assert.Equal(["train_day_0001", "train_night_0002"], train.Select(s => s.Name));
        Assert.Equal(Path.Combine(Fixtures.Datasets.Etram, "train_h5_2", "train_night_0002_td.h5"), train[1].EventsPath);
        Assert.Equal(Path.Combine(Fixtures.Datasets.Etram, "train_h5_2", "train_night_0002_bbox.npy"), train[1].BoxesPath);
        Assert.Equal(2, RawSequenceFiles.SplitFolders(Fixtures.Datasets.Etram, "train", s_etram).Count);
        Assert.Empty(RawSequenceFiles.Find(Fixtures.Datasets.Etram, "nosuchsplit", s_etram));
    }

    [Fact]
    public void Etram_LabelsFolder_TakesTheBoxesFromThere()
    {
        RawLayout eight = TestDatasets.Named("etram8").Raw;
        RawSequenceFiles val = Assert.Single(RawSequenceFiles.Find(Fixtures.Datasets.Etram, "val", eight));
        Assert.Equal(Path.Combine(Fixtures.Datasets.Etram, "class annotations", "eight_class_annotations_val", "val_day_0003_bbox.npy"), val.BoxesPath);
        Assert.Equal(Path.Combine(Fixtures.Datasets.Etram, "val_h5_1", "val_day_0003_td.h5"), val.EventsPath);
    }

    [Fact]
    public void Etram_ALabelsFolderThatIsMissing_IsNamed()
    {
        RawLayout layout = s_etram with { LabelsFolder = "labels_{split}" };
        var e = Assert.Throws<DirectoryNotFoundException>(() => RawSequenceFiles.Find(Fixtures.Datasets.Etram, "val", layout));
        Assert.Contains(Path.Combine(Fixtures.Datasets.Etram, "labels_val"), e.Message);
    }

    [Fact]
    public void Dsec_SequenceFolders()
    {
        RawLayout dsec = TestDatasets.Named("dsec").Raw;
        RawSequenceFiles test = Assert.Single(RawSequenceFiles.Find(Fixtures.Datasets.Dsec, "test", dsec));
        Assert.Equal("thun_01_a", test.Name);
        Assert.EndsWith(Path.Combine("thun_01_a", "events", "left", "events.h5"), test.EventsPath, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("thun_01_a", "object_detections", "left", "tracks.npy"), test.BoxesPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Dsec_ASequenceWithoutTracks_IsNamed_AFolderWithoutEventsIsIgnored()
    {
        using TempDir tmp = Fixtures.TempDir();
        string events = Path.Combine(tmp.Path, "train", "interlaken_00_c", "events", "left");
        Directory.CreateDirectory(events);
        File.WriteAllBytes(Path.Combine(events, "events.h5"), []);
        Directory.CreateDirectory(Path.Combine(tmp.Path, "train", "notes"));
        var e = Assert.Throws<FileNotFoundException>(() => RawSequenceFiles.Find(tmp.Path, "train", TestDatasets.Named("dsec").Raw));
        Assert.Contains(Path.Combine("interlaken_00_c", "object_detections", "left", "tracks.npy"), e.Message);
    }

    [Fact]
    public void Folder_AnyRecordingBesideItsLabels()
    {
        RawLayout folder = new() { Kind = RawLayoutKind.Folder };
        IReadOnlyList<RawSequenceFiles> train = RawSequenceFiles.Find(Fixtures.Datasets.Custom, "train", folder);
        Assert.Equal(["drive_a", "drive_b"], train.Select(s => s.Name));
        Assert.Equal(["drive_a.csv", "drive_b_td.raw"], train.Select(s => Path.GetFileName(s.EventsPath)));
    }

    [Fact]
    public void Folder_LabelsWithoutOrWithTwoRecordings_AreNamed()
    {
        using TempDir tmp = Fixtures.TempDir();
        string split = Directory.CreateDirectory(Path.Combine(tmp.Path, "train")).FullName;
        File.WriteAllBytes(Path.Combine(split, "a_bbox.npy"), []);
        RawLayout folder = new() { Kind = RawLayoutKind.Folder };
        var missing = Assert.Throws<FileNotFoundException>(() => RawSequenceFiles.Find(tmp.Path, "train", folder));
        Assert.Contains("a_bbox.npy: no recording a.<ext> or a_td.<ext>", missing.Message);

        File.WriteAllBytes(Path.Combine(split, "a.raw"), []);
        File.WriteAllBytes(Path.Combine(split, "a_td.csv"), []);
        var two = Assert.Throws<ArgumentException>(() => RawSequenceFiles.Find(tmp.Path, "train", folder));
        Assert.Contains("sequence a has several recordings (a.raw, a_td.csv)", two.Message);
    }

    [Fact]
    public void ASequenceInTwoFoldersOfOneSplit_IsAnError()
    {
        using TempDir tmp = Fixtures.TempDir();
        foreach (string folder in new[] { "train_h5_1", "train_h5_2" })
        {
            string dir = Directory.CreateDirectory(Path.Combine(tmp.Path, folder)).FullName;
            File.WriteAllBytes(Path.Combine(dir, "s_td.h5"), []);
            File.WriteAllBytes(Path.Combine(dir, "s_bbox.npy"), []);
        }
        var e = Assert.Throws<ArgumentException>(() => RawSequenceFiles.Find(tmp.Path, "train", s_etram));
        Assert.Contains("sequence s of split train is found twice", e.Message);
    }
}
