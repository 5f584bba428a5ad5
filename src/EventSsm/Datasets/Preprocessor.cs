using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Numpy;
using EventSsm.Labels;
using EventSsm.Representations;

namespace EventSsm.Datasets;

/// <summary>
/// The original's preprocessing job (<c>scripts/genx/preprocess_dataset.py</c>, docs/DATA.md §2): for every raw
/// sequence of every split, filter the labels, choose label frames and window ends, build a stacked histogram per
/// window [T − dt, T] (gen4: then the nearest-exact ×2 downsample) and write the docs/DATA.md §2.7 layout.
/// <para>
/// Resumable: a sequence is written into <c>OUT/&lt;split&gt;/.tmp-&lt;seq&gt;-&lt;guid&gt;</c> and renamed to
/// <c>OUT/&lt;split&gt;/&lt;seq&gt;</c> when complete, so a final directory is always whole. Existing final
/// directories are skipped and <c>.tmp-*</c> leftovers are deleted at the start (so two runs must not share an
/// output folder at the same time). Sequences run in parallel; each output depends only on its input.
/// </para>
/// </summary>
public sealed class Preprocessor
{
    /// <summary>Time bins of the stacked histogram (stacked_hist.yaml).</summary>
    public const int Bins = 10;

    /// <summary>Count cutoff of the stacked histogram (stacked_hist.yaml).</summary>
    public const int CountCutoff = 10;

    public const string TempPrefix = ".tmp-";

    /// <summary>
    /// The task of the progress reports that count finished sequences; each sequence being written also reports its
    /// windows as the task <c>&lt;split&gt;/&lt;sequence&gt;</c>.
    /// </summary>
    public const string ProgressTask = "preprocess";

    /// <summary>
    /// <c>dirs_to_ignore</c> of preprocess_dataset.py: gen1 sequences that have no labels left after filtering
    /// (docs/DATA.md §2). They are skipped before anything is read.
    /// </summary>
    public static readonly IReadOnlySet<string> IgnoredGen1Sequences = new HashSet<string>(StringComparer.Ordinal)
    {
        "17-04-06_09-57-37_6344500000_6404500000",
        "17-04-13_19-17-27_976500000_1036500000",
        "17-04-06_15-14-36_1159500000_1219500000",
        "17-04-11_15-13-23_122500000_182500000",
    };

    private readonly PreprocessOptions _options;

    public Preprocessor(PreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Preprocesses <paramref name="rawDir"/> into <paramref name="outDir"/>. Per-sequence errors are reported as
    /// <see cref="SequenceStatus.Failed"/> and the other sequences go on; a missing bbox file or an unusable input
    /// layout throws before anything is written.
    /// </summary>
    public PreprocessReport Run(string rawDir, string outDir, IProgress<ProgressReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawDir);
        ArgumentNullException.ThrowIfNull(outDir);
        if (!Directory.Exists(rawDir))
        {
            throw new DirectoryNotFoundException($"{rawDir}: input folder not found");
        }
        var sequences = new List<RawSequenceFiles>();
        var missing = new List<string>();
        foreach (string split in _options.Splits)
        {
            string dir = Path.Combine(rawDir, split);
            if (Directory.Exists(dir))
            {
                sequences.AddRange(RawSequenceFiles.Find(dir, split));
            }
            else
            {
                missing.Add(split);
            }
        }
        if (missing.Count == _options.Splits.Count)
        {
            throw new DirectoryNotFoundException($"{rawDir}: none of the split folders {string.Join(", ", _options.Splits)} exists");
        }

        var removed = new List<string>();
        foreach (string split in _options.Splits.Except(missing))
        {
            removed.AddRange(RemoveTempDirs(Path.Combine(outDir, split)));
        }

        int workers = _options.Workers > 0 ? _options.Workers : Environment.ProcessorCount;
        int concurrent = Math.Max(1, Math.Min(workers, sequences.Count));
        // Spare workers go to the windows of each sequence, so a run with few sequences still uses every core.
        int windowWorkers = Math.Max(1, workers / concurrent);
        var outcomes = new SequenceOutcome[sequences.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrent, CancellationToken = cancellationToken };
        int finished = 0;
        progress?.Report(new ProgressReport(ProgressTask, 0, sequences.Count, "sequences"));
        Parallel.For(0, sequences.Count, parallel, i =>
        {
            outcomes[i] = Process(sequences[i], outDir, windowWorkers, progress, cancellationToken);
            progress?.Report(new ProgressReport(ProgressTask, Interlocked.Increment(ref finished), sequences.Count, "sequences"));
        });
        return new PreprocessReport(outcomes, removed, missing);
    }

    private static IEnumerable<string> RemoveTempDirs(string splitOut)
    {
        if (!Directory.Exists(splitOut))
        {
            return [];
        }
        var removed = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(splitOut, TempPrefix + "*"))
        {
            Directory.Delete(dir, recursive: true);
            removed.Add(dir);
        }
        return removed;
    }

    private SequenceOutcome Process(RawSequenceFiles seq, string outDir, int windowWorkers,
        IProgress<ProgressReport>? progress, CancellationToken cancellationToken)
    {
        string splitOut = Path.Combine(outDir, seq.Split);
        string final = Path.Combine(splitOut, seq.Name);
        if (Directory.Exists(final))
        {
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.AlreadyDone, $"{final} exists");
        }
        if (_options.Dataset == DatasetKind.Gen1 && IgnoredGen1Sequences.Contains(seq.Name))
        {
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.Ignored, "on the original's ignore list (no labels after filtering)");
        }
        string tmp = Path.Combine(splitOut, $"{TempPrefix}{seq.Name}-{Guid.NewGuid():N}");
        try
        {
            LabelFrames frames;
            try
            {
                BoundingBox[] boxes = BoundingBoxFile.Read(seq.BoxesPath);
                BoundingBox[] filtered = LabelFilter.Apply(boxes, _options.Dataset, isTrainSplit: seq.Split == "train");
                frames = LabelFrameSelector.Select(filtered, _options.Dataset, seq.Name, _options.StepUs, _options.TrueRate);
            }
            catch (NoLabelsException e)
            {
                return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.NoLabels, e.Message);
            }
            Directory.CreateDirectory(tmp);
            WriteSequence(seq, frames, tmp, windowWorkers, progress, cancellationToken);
            Directory.Move(tmp, final);
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.Written, null, frames.FrameTimestamps.Length, frames.ReprTimestamps.Length);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.Failed, e.Message);
        }
        finally
        {
            if (Directory.Exists(tmp))
            {
                Directory.Delete(tmp, recursive: true);
            }
        }
    }

    private void WriteSequence(RawSequenceFiles seq, LabelFrames frames, string dir, int windowWorkers,
        IProgress<ProgressReport>? progress, CancellationToken cancellationToken)
    {
        string labelsDir = Path.Combine(dir, "labels_v2");
        Directory.CreateDirectory(labelsDir);
        // np.savez (stored, not deflated): 'labels' in the Prophesee v2 dtype, then the frame → first row index.
        NpzFile.Write(Path.Combine(labelsDir, "labels.npz"),
        [
            new("labels", BoundingBoxFile.ToNpy(frames.Labels, BoxLayout.PropheseeV2)),
            new("objframe_idx_2_label_idx", NpyArray.FromArray(frames.ObjframeIdx2LabelIdx, frames.ObjframeIdx2LabelIdx.Length)),
        ]);
        NpyFile.Write(Path.Combine(labelsDir, "timestamps_us.npy"), NpyArray.FromArray(frames.FrameTimestamps, frames.FrameTimestamps.Length));

        string reprDir = Path.Combine(dir, "event_representations_v2", _options.RepresentationName);
        Directory.CreateDirectory(reprDir);
        NpyFile.Write(Path.Combine(reprDir, "objframe_idx_2_repr_idx.npy"), NpyArray.FromArray(frames.ObjframeIdx2ReprIdx, frames.ObjframeIdx2ReprIdx.Length));
        NpyFile.Write(Path.Combine(reprDir, "timestamps_us.npy"), NpyArray.FromArray(frames.ReprTimestamps, frames.ReprTimestamps.Length));
        WriteRepresentations(seq, frames.ReprTimestamps, Path.Combine(reprDir, _options.RepresentationFileName), windowWorkers, progress, cancellationToken);
    }

    private void WriteRepresentations(RawSequenceFiles seq, long[] ends, string path, int windowWorkers,
        IProgress<ProgressReport>? progress, CancellationToken cancellationToken)
    {
        (int width, int height) = DatasetInfo.SensorSize(_options.Dataset);
        using IEventReader reader = OpenEvents(seq.EventsPath, width, height);
        if (reader.Width != width || reader.Height != height)
        {
            throw new DataFormatException(seq.EventsPath, $"the recording is {reader.Width}×{reader.Height}, but {_options.Dataset} sensors are {width}×{height}");
        }
        var windows = new WindowRepresentations(new StackedHistogram(height, width, Bins, CountCutoff),
            downsample2: _options.Dataset == DatasetKind.Gen4, maxParallelism: windowWorkers);
        long dtUs = _options.WindowUs;
        // The HDF5 writer pulls frames in order; they are built a chunk at a time in parallel, so memory holds one
        // chunk of outputs whatever the sequence length.
        int chunk = 2 * windows.Parallelism;
        var built = new byte[Math.Min(chunk, ends.Length)][];
        for (int j = 0; j < built.Length; j++)
        {
            built[j] = new byte[windows.OutputBytes];
        }
        int builtFrom = -chunk;
        string task = $"{seq.Split}/{seq.Name}";
        progress?.Report(new ProgressReport(task, 0, ends.Length, "windows"));
        try
        {
            RepresentationH5Writer.Write(path, ends.Length, windows.Channels, windows.Height, windows.Width, (i, dst) =>
            {
                if (i >= builtFrom + chunk)
                {
                    builtFrom = i;
                    int n = Math.Min(chunk, ends.Length - i);
                    windows.Run(reader, new ArraySegment<long>(ends, i, n), dtUs, (j, bytes) => bytes.CopyTo(built[j]),
                        cancellationToken: cancellationToken);
                    progress?.Report(new ProgressReport(task, i + n, ends.Length, "windows"));
                }
                built[i - builtFrom].CopyTo(dst);
            });
        }
        catch
        {
            // Ends the sequence's task for the display; the outcome reports the failure.
            progress?.Report(new ProgressReport(task, ends.Length, ends.Length, "windows"));
            throw;
        }
    }

    private IEventReader OpenEvents(string path, int width, int height) =>
        _options.OpenEvents is { } open ? open(path) : EventRecording.Open(path, new SensorSize(width, height));
}
