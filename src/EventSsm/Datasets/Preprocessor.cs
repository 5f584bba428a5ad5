using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Numpy;
using EventSsm.Labels;
using EventSsm.Representations;

namespace EventSsm.Datasets;

/// <summary>
/// The original's preprocessing job (<c>scripts/genx/preprocess_dataset.py</c>, docs/DATA.md §2) for any dataset
/// description (docs/DATA.md §8): for every raw sequence of every split, map and filter the labels, choose label
/// frames and window ends, build a stacked histogram per window [T − dt, T] (downsampled datasets: then the
/// nearest-exact ×2 downsample) and write the docs/DATA.md §2.7 layout.
/// <para>
/// Resumable: a sequence is written into <c>OUT/&lt;split&gt;/.tmp-&lt;seq&gt;-&lt;guid&gt;</c> and renamed to
/// <c>OUT/&lt;split&gt;/&lt;seq&gt;</c> when complete, so a final directory is always whole. Existing final
/// directories are skipped and the <c>.tmp-*</c> leftovers of this run's sequences are deleted at the start, so two
/// runs may share an output folder only when they write different sequences (the shards of <c>--shard i/N</c>,
/// docs/CLUSTER.md). Sequences run in parallel; each output depends only on its input.
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

    private readonly PreprocessOptions _options;

    public Preprocessor(PreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Preprocesses <paramref name="rawDir"/> into <paramref name="outDir"/> (this run's shard of the sequences only).
    /// Per-sequence errors are reported as <see cref="SequenceStatus.Failed"/> and the other sequences go on; a missing
    /// bbox file or an unusable input layout throws before anything is written.
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
        RawLayout layout = _options.Dataset.Raw;
        var all = new List<RawSequenceFiles>();
        var missing = new List<string>();
        foreach (string split in _options.Splits)
        {
            if (RawSequenceFiles.SplitFolders(rawDir, split, layout).Count > 0)
            {
                all.AddRange(RawSequenceFiles.Find(rawDir, split, layout));
            }
            else
            {
                missing.Add(split);
            }
        }
        if (missing.Count == _options.Splits.Count)
        {
            throw new DirectoryNotFoundException(
                $"{rawDir}: none of the split folders {string.Join(", ", _options.Splits)} exists (dataset.raw.split_folders: {string.Join(", ", layout.SplitFolders)})");
        }
        // The stable order the shards share: splits as listed, names sorted (docs/CLUSTER.md).
        IReadOnlyList<RawSequenceFiles> sequences = _options.Shard.Select(all);

        var removed = new List<string>();
        foreach (RawSequenceFiles seq in sequences)
        {
            removed.AddRange(RemoveTempDirs(Path.Combine(outDir, seq.Split), seq.Name));
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
        return new PreprocessReport(outcomes, removed, missing) { SequencesFound = all.Count, Shard = _options.Shard };
    }

    /// <summary>Deletes the unfinished <c>.tmp-&lt;seq&gt;-&lt;guid&gt;</c> folders of one sequence (never another shard's).</summary>
    private static IEnumerable<string> RemoveTempDirs(string splitOut, string sequence)
    {
        if (!Directory.Exists(splitOut))
        {
            return [];
        }
        string prefix = $"{TempPrefix}{sequence}-";
        var removed = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories(splitOut, prefix + "*"))
        {
            // The rest is the run's guid (no '-'); "a-b-<guid>" belongs to sequence "a-b", not "a".
            string rest = Path.GetFileName(dir)[prefix.Length..];
            if (rest.Length > 0 && !rest.Contains('-'))
            {
                Directory.Delete(dir, recursive: true);
                removed.Add(dir);
            }
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
        if (_options.Dataset.Raw.SkipSequences.Contains(seq.Name))
        {
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.Ignored, "on the dataset's skip list (dataset.raw.skip_sequences)");
        }
        string tmp = Path.Combine(splitOut, $"{TempPrefix}{seq.Name}-{Guid.NewGuid():N}");
        IEventReader? reader = null;
        try
        {
            DatasetDescription dataset = _options.Dataset;
            long origin = 0;
            if (dataset.TimeOrigin == TimeOrigin.Recording)
            {
                reader = OpenEvents(seq);
                origin = RecordingStart(reader);
            }
            LabelFrames frames;
            try
            {
                BoundingBox[] boxes = BoundingBoxFile.Read(seq.BoxesPath);
                if (origin != 0)
                {
                    boxes = [.. boxes.Select(b => b with { T = b.T - origin })];
                }
                BoundingBox[] filtered = LabelFilter.Apply(boxes, dataset, isTrainSplit: seq.Split == "train", seq.BoxesPath);
                frames = LabelFrameSelector.Select(filtered, dataset.Frames, seq.Name, _options.StepUs, _options.TrueRate);
            }
            catch (NoLabelsException e)
            {
                return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.NoLabels, e.Message);
            }
            reader ??= OpenEvents(seq);
            Directory.CreateDirectory(tmp);
            WriteSequence(seq, reader, origin, frames, tmp, windowWorkers, progress, cancellationToken);
            Directory.Move(tmp, final);
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.Written, null, frames.FrameTimestamps.Length, frames.ReprTimestamps.Length);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SequenceOutcome(seq.Split, seq.Name, SequenceStatus.Failed, e.Message);
        }
        finally
        {
            reader?.Dispose();
            if (Directory.Exists(tmp))
            {
                Directory.Delete(tmp, recursive: true);
            }
        }
    }

    private void WriteSequence(RawSequenceFiles seq, IEventReader reader, long origin, LabelFrames frames, string dir, int windowWorkers,
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
        WriteRepresentations(seq, reader, origin, frames.ReprTimestamps, Path.Combine(reprDir, _options.RepresentationFileName), windowWorkers,
            progress, cancellationToken);
    }

    /// <param name="origin">The recording time of the sequence's time zero (docs/DATA.md §8.5): windows end at
    /// <c>ends[i] + origin</c> in the recording.</param>
    private void WriteRepresentations(RawSequenceFiles seq, IEventReader reader, long origin, long[] ends, string path, int windowWorkers,
        IProgress<ProgressReport>? progress, CancellationToken cancellationToken)
    {
        (int width, int height) = _options.Dataset.Sensor;
        var windows = new WindowRepresentations(new StackedHistogram(height, width, Bins, CountCutoff),
            downsample2: _options.Dataset.DownsampleBy2, maxParallelism: windowWorkers);
        long[] readerEnds = origin == 0 ? ends : [.. ends.Select(e => e + origin)];
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
                    windows.Run(reader, new ArraySegment<long>(readerEnds, i, n), dtUs, (j, bytes) => bytes.CopyTo(built[j]),
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

    /// <summary>Opens the recording and checks it has the dataset's sensor size.</summary>
    private IEventReader OpenEvents(RawSequenceFiles seq)
    {
        (int width, int height) = _options.Dataset.Sensor;
        IEventReader reader = _options.OpenEvents is { } open ? open(seq.EventsPath) : EventRecording.Open(seq.EventsPath, new SensorSize(width, height));
        if (reader.Width != width || reader.Height != height)
        {
            reader.Dispose();
            throw new DataFormatException(seq.EventsPath,
                $"the recording is {reader.Width}×{reader.Height}, but dataset {_options.Dataset.Name} has a {width}×{height} sensor (dataset.resolution_hw)");
        }
        return reader;
    }

    /// <summary>
    /// The recording's time zero: its declared offset (DSEC's t_offset), else its first event (docs/DATA.md §8.5).
    /// </summary>
    private static long RecordingStart(IEventReader reader) => reader switch
    {
        RawEventH5Reader { TimeOffsetUs: long offset } => offset,
        { Count: > 0 } => reader.TimeAt(0),
        _ => 0,
    };
}
