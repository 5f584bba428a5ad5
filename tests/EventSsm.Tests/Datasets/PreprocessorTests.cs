using EventSsm.Datasets;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Numpy;
using EventSsm.Labels;
using EventSsm.Representations;

namespace EventSsm.Tests.Datasets;

public sealed class PreprocessorTests
{
    private const string ReprName = "stacked_histogram_dt=50_nbins=10";

    private static string GoldenRaw(params string[] parts) => Fixtures.Preprocessed.Raw(parts);

    private static string GoldenOut(params string[] parts) => Fixtures.Preprocessed.Out(parts);

    private static PreprocessOptions Gen1(params string[] splits) =>
        new() { Dataset = TestDatasets.Gen1, Workers = 2, Splits = splits.Length == 0 ? ["train", "val", "test"] : splits };

    [Fact]
    public void GoldenRawDataset_ReproducesReferenceOutput()
    {
        using TempDir tmp = Fixtures.TempDir();
        PreprocessReport report = new Preprocessor(Gen1()).Run(GoldenRaw(), tmp.Path);

        Assert.False(report.AnyFailed, string.Join("; ", report.Sequences.Select(s => s.Reason)));
        Assert.Equal(SequenceDirs(GoldenOut()), SequenceDirs(tmp.Path));
        Assert.Equal(SequenceStatus.Ignored, report.Sequences.Single(s => s.Sequence == "17-04-06_09-57-37_6344500000_6404500000").Status);
        Assert.Equal(SequenceStatus.NoLabels, report.Sequences.Single(s => s.Sequence == "99-01-03_11-00-00_0_3000000").Status);
        foreach (string seq in SequenceDirs(GoldenOut()))
        {
            AssertSameSequence(GoldenOut(seq), Path.Combine(tmp.Path, seq));
        }
    }

    [Fact]
    public void AClassIdTheDatasetDoesNotKnow_FailsThatSequenceWithOneLineNamingTheFile()
    {
        using TempDir tmp = Fixtures.TempDir();
        string val = Directory.CreateDirectory(Path.Combine(tmp.Path, "raw", "val")).FullName;
        const string seq = "99-01-02_11-00-00_0_3000000";
        File.Copy(GoldenRaw("val", seq + "_td.dat.h5"), Path.Combine(val, seq + "_td.dat.h5"));
        BoundingBox[] boxes = BoundingBoxFile.Read(GoldenRaw("val", seq + "_bbox.npy"));
        boxes[3] = boxes[3] with { ClassId = 5 };
        string bbox = Path.Combine(val, seq + "_bbox.npy");
        BoundingBoxFile.Write(bbox, boxes);

        Tests.Cli.CliResult r = Tests.Cli.CliRunner.Invoke(["preprocess", Path.Combine(tmp.Path, "raw"), Path.Combine(tmp.Path, "out"), "--dataset", "gen1"]);

        Assert.Equal(1, r.ExitCode);
        string line = Assert.Single(r.Output.Split('\n'), l => l.Contains("FAILED"));
        Assert.Equal($"val/{seq}: FAILED: {bbox}: row 3: class_id 5 is not a class id of this dataset's label files (0..1: 0 → car, 1 → pedestrian)", line);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "out", "val", seq)));
    }

    [Fact]
    public void SecondRun_SkipsFinishedSequences_AndRemovesLeftoverTempDirs()
    {
        using TempDir tmp = Fixtures.TempDir();
        var pre = new Preprocessor(Gen1("val"));
        PreprocessReport first = pre.Run(GoldenRaw(), tmp.Path);
        Assert.Equal(2, first.Count(SequenceStatus.Written));
        string leftover = Path.Combine(tmp.Path, "val", Preprocessor.TempPrefix + "99-01-02_10-00-00_0_5000000-dead");
        Directory.CreateDirectory(Path.Combine(leftover, "labels_v2"));
        DateTime before = Directory.GetLastWriteTimeUtc(Path.Combine(tmp.Path, "val", "99-01-02_10-00-00_0_5000000", "labels_v2"));

        PreprocessReport second = pre.Run(GoldenRaw(), tmp.Path);

        Assert.All(second.Sequences, s => Assert.Equal(SequenceStatus.AlreadyDone, s.Status));
        Assert.Equal([leftover], second.RemovedTempDirs);
        Assert.False(Directory.Exists(leftover));
        Assert.Equal(before, Directory.GetLastWriteTimeUtc(Path.Combine(tmp.Path, "val", "99-01-02_10-00-00_0_5000000", "labels_v2")));
    }

    [Fact]
    public void FailureMidSequence_LeavesNoOutputDirectory_AndARerunFinishesIt()
    {
        using TempDir tmp = Fixtures.TempDir();
        var progress = new List<ProgressReport>();
        PreprocessOptions failing = Gen1("val") with
        {
            OpenEvents = path => new FailingReader(EventRecording.Open(path), readsBeforeFailure: 5),
        };
        PreprocessReport report = new Preprocessor(failing).Run(GoldenRaw(), tmp.Path, new SyncProgress(progress));

        Assert.All(report.Sequences, s => Assert.Equal(SequenceStatus.Failed, s.Status));
        Assert.Contains(report.Sequences, s => s.Reason!.Contains("simulated crash"));
        Assert.Empty(Directory.GetDirectories(Path.Combine(tmp.Path, "val")));
        // Each sequence reported some windows before it failed, and the count of finished sequences reached the total.
        Assert.Contains(progress, p => p.Unit == "windows" && p.Done > 0 && !p.IsFinished);
        Assert.Contains(progress, p => p.Task == Preprocessor.ProgressTask && p.Done == 2 && p.IsFinished);

        PreprocessReport rerun = new Preprocessor(Gen1("val")).Run(GoldenRaw(), tmp.Path);
        Assert.Equal(2, rerun.Count(SequenceStatus.Written));
        AssertSameSequence(GoldenOut("val", "99-01-02_11-00-00_0_3000000"), Path.Combine(tmp.Path, "val", "99-01-02_11-00-00_0_3000000"));
    }

    [Fact]
    public void DatInput_GivesTheSameRepresentationsAsH5Input() =>
        AssertConvertedInputGivesGoldenOutput("_td.dat", (path, events) => DatFile.Write(path, events), Gen1("val"));

    [Fact]
    public void RawInput_GivesTheSameRepresentationsAsH5Input() =>
        // An EVT 2.0 .raw copy, read through the seek index with a checkpoint every 4 KiB so windows start mid-file.
        AssertConvertedInputGivesGoldenOutput("_td.raw", (path, events) => RawFile.WriteEvt2(path, events),
            Gen1("val") with { OpenEvents = path => RawStreamReader.Open(path, checkpointBytes: 4096) });

    [Fact]
    public void MetavisionHdf5Input_GivesTheSameRepresentationsAsH5Input() =>
        // Metavision's layout with ECF chunks of 16384 events (written through PureHDF and our ECF filter).
        AssertConvertedInputGivesGoldenOutput("_td.hdf5", (path, events) => Events.PropheseeHdf5Files.Write(path, events), Gen1("val"));

    /// <summary>
    /// Converts one golden val sequence's events to another file format (<paramref name="eventsSuffix"/>, written by
    /// <paramref name="write"/>), preprocesses it and checks the output equals the golden output of the .h5 input.
    /// </summary>
    private static void AssertConvertedInputGivesGoldenOutput(string eventsSuffix, Action<string, EventArray> write, PreprocessOptions options)
    {
        using TempDir tmp = Fixtures.TempDir();
        const string seq = "99-01-02_11-00-00_0_3000000";
        string raw = Path.Combine(tmp.Path, "raw", "val");
        Directory.CreateDirectory(raw);
        write(Path.Combine(raw, seq + eventsSuffix), RawEventH5Reader.ReadAll(GoldenRaw("val", seq + "_td.dat.h5")));
        File.Copy(GoldenRaw("val", seq + "_bbox.npy"), Path.Combine(raw, seq + "_bbox.npy"));

        PreprocessReport report = new Preprocessor(options).Run(Path.Combine(tmp.Path, "raw"), Path.Combine(tmp.Path, "out"));

        Assert.Equal(SequenceStatus.Written, Assert.Single(report.Sequences).Status);
        AssertSameSequence(GoldenOut("val", seq), Path.Combine(tmp.Path, "out", "val", seq));
    }

    [Theory]
    [InlineData(50, "50")]
    [InlineData(25, "25")]
    [InlineData(12.5, "12.5")]
    public void TrueRate_PutsWindowsOneStepApartInsideLabelledIntervals(double stepMs, string name)
    {
        using TempDir tmp = Fixtures.TempDir();
        const string seq = "99-01-01_11-00-00_0_4000000";
        string raw = Path.Combine(tmp.Path, "raw", "train");
        Directory.CreateDirectory(raw);
        foreach (string suffix in new[] { "_td.dat.h5", "_bbox.npy" })
        {
            File.Copy(GoldenRaw("train", seq + suffix), Path.Combine(raw, seq + suffix));
        }
        PreprocessOptions options = Gen1("train") with { WindowMs = stepMs, StepMs = stepMs, TrueRate = true };
        long stepUs = (long)(stepMs * 1000);

        PreprocessReport report = new Preprocessor(options).Run(Path.Combine(tmp.Path, "raw"), Path.Combine(tmp.Path, "out"));

        Assert.Equal(SequenceStatus.Written, Assert.Single(report.Sequences).Status);
        string reprDir = Path.Combine(tmp.Path, "out", "train", seq, "event_representations_v2", $"stacked_histogram_dt={name}_nbins=10_step={name}");
        long[] ends = NpyFile.Read(Path.Combine(reprDir, "timestamps_us.npy")).ToInt64Array();
        long[] frameToRepr = NpyFile.Read(Path.Combine(reprDir, "objframe_idx_2_repr_idx.npy")).ToInt64Array();
        long[] frames = NpyFile.Read(Path.Combine(tmp.Path, "out", "train", seq, "labels_v2", "timestamps_us.npy")).ToInt64Array();
        for (int k = 0; k < frames.Length; k++)
        {
            Assert.Equal(frames[k], ends[frameToRepr[k]]);
        }
        // Frames may be up to 2 ms off the 250 ms grid; that error is spread over the ≥ 10 steps of an interval.
        long slack = (TestDatasets.Gen1.Frames.ToleranceUs / 10) + 1;
        for (long i = frameToRepr[0]; i < frameToRepr[^1]; i++)
        {
            Assert.InRange(ends[i + 1] - ends[i], stepUs - slack, stepUs + slack);
        }
        using RepresentationH5Reader h5 = RepresentationH5Reader.Open(Path.Combine(reprDir, "event_representations.h5"));
        Assert.Equal(ends.Length, h5.Count);
        // Spot-check one window against a direct build of [T − 25 ms, T].
        using IEventReader events = EventRecording.Open(GoldenRaw("train", seq + "_td.dat.h5"));
        int mid = ends.Length / 2;
        EventWindow window = EventWindows.Read(events, ends[mid], stepUs, new EventBuffer(304, 240));
        byte[] expected = new byte[20 * 240 * 304];
        new StackedHistogram(240, 304).Build(window.Events, expected);
        Assert.Equal(expected, h5.ReadFrame(mid));
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(50, 12.3456)]
    [InlineData(50, 0)]
    [InlineData(-5, 5)]
    public void BadWindowOrStep_IsRejected(double dtMs, double stepMs)
    {
        Assert.Throws<ArgumentException>(() => new Preprocessor(Gen1() with { WindowMs = dtMs, StepMs = stepMs }));
    }

    [Fact]
    public void MissingBboxFile_IsAClearError()
    {
        using TempDir tmp = Fixtures.TempDir();
        string raw = Path.Combine(tmp.Path, "raw", "test");
        Directory.CreateDirectory(raw);
        File.Copy(GoldenRaw("test", "99-01-03_11-00-00_0_3000000_td.dat.h5"), Path.Combine(raw, "99-01-03_11-00-00_0_3000000_td.dat.h5"));

        var e = Assert.Throws<FileNotFoundException>(() => new Preprocessor(Gen1("test")).Run(Path.Combine(tmp.Path, "raw"), Path.Combine(tmp.Path, "out")));
        Assert.Contains("99-01-03_11-00-00_0_3000000_bbox.npy", e.Message);
        Assert.False(Directory.Exists(Path.Combine(tmp.Path, "out", "test")));
    }

    private static string[] SequenceDirs(string root) =>
        Directory.GetDirectories(root).SelectMany(Directory.GetDirectories)
            .Select(d => Path.GetRelativePath(root, d).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    private static void AssertSameSequence(string expectedDir, string actualDir)
    {
        Dictionary<string, NpyArray> expLabels = NpzFile.ReadAll(Path.Combine(expectedDir, "labels_v2", "labels.npz"));
        Dictionary<string, NpyArray> gotLabels = NpzFile.ReadAll(Path.Combine(actualDir, "labels_v2", "labels.npz"));
        Assert.Equal(expLabels.Keys.Order(), gotLabels.Keys.Order());
        foreach (string key in expLabels.Keys)
        {
            AssertSameArray(expLabels[key], gotLabels[key]);
        }
        string repr = Path.Combine("event_representations_v2", ReprName);
        foreach (string file in new[] { Path.Combine("labels_v2", "timestamps_us.npy"), Path.Combine(repr, "timestamps_us.npy"), Path.Combine(repr, "objframe_idx_2_repr_idx.npy") })
        {
            AssertSameArray(NpyFile.Read(Path.Combine(expectedDir, file)), NpyFile.Read(Path.Combine(actualDir, file)));
        }
        using RepresentationH5Reader exp = RepresentationH5Reader.Open(Path.Combine(expectedDir, repr, "event_representations.h5"));
        using RepresentationH5Reader got = RepresentationH5Reader.Open(Path.Combine(actualDir, repr, "event_representations.h5"));
        Assert.Equal((exp.Count, exp.Channels, exp.Height, exp.Width), (got.Count, got.Channels, got.Height, got.Width));
        for (int i = 0; i < exp.Count; i++)
        {
            Assert.True(exp.ReadFrame(i).AsSpan().SequenceEqual(got.ReadFrame(i)), $"{actualDir}: frame {i} differs");
        }
    }

    private static void AssertSameArray(NpyArray expected, NpyArray actual)
    {
        Assert.Equal(expected.DType.ToDescr(), actual.DType.ToDescr());
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Data, actual.Data);
    }

    /// <summary>Records reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SyncProgress(List<ProgressReport> sink) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value)
        {
            lock (sink)
            {
                sink.Add(value);
            }
        }
    }

    /// <summary>Reads normally a few times, then throws: a crash in the middle of a sequence.</summary>
    private sealed class FailingReader(IEventReader inner, int readsBeforeFailure) : IEventReader
    {
        private int _reads;

        public string? Name => inner.Name;

        public int Width => inner.Width;

        public int Height => inner.Height;

        public long Count => inner.Count;

        public long TimeAt(long index) => inner.TimeAt(index);

        public long LowerBound(long timeUs) => inner.LowerBound(timeUs);

        public long UpperBound(long timeUs) => inner.UpperBound(timeUs);

        public EventArray Read(long start, int count, EventBuffer destination) =>
            Interlocked.Increment(ref _reads) > readsBeforeFailure
                ? throw new IOException("simulated crash")
                : inner.Read(start, count, destination);

        public void Dispose() => inner.Dispose();
    }
}
