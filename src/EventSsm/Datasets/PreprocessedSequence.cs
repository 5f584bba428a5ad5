using EventSsm.IO;
using EventSsm.IO.Numpy;
using EventSsm.Labels;

namespace EventSsm.Datasets;

/// <summary>
/// One sequence of the original's preprocessed layout (docs/DATA.md §2.7):
/// <c>labels_v2/{labels.npz,timestamps_us.npy}</c> and
/// <c>event_representations_v2/&lt;name&gt;/{event_representations*.h5,timestamps_us.npy,objframe_idx_2_repr_idx.npy}</c>.
/// </summary>
public sealed class PreprocessedSequence
{
    public const string DefaultRepresentationName = "stacked_histogram_dt=50_nbins=10";

    private readonly int[] _reprToFrame;

    private PreprocessedSequence(string directory, DatasetDescription dataset, string representationFile, long[] reprTimestamps,
        long[] frameTimestamps, long[] frameToRepr, BoundingBox[] labels, long[] frameToLabel)
    {
        Directory = directory;
        Name = Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar));
        Dataset = dataset;
        RepresentationFile = representationFile;
        ReprTimestamps = reprTimestamps;
        FrameTimestamps = frameTimestamps;
        ObjframeIdx2ReprIdx = frameToRepr;
        Labels = labels;
        ObjframeIdx2LabelIdx = frameToLabel;
        _reprToFrame = Enumerable.Repeat(-1, reprTimestamps.Length).ToArray();
        for (int k = 0; k < frameToRepr.Length; k++)
        {
            _reprToFrame[frameToRepr[k]] = k;
        }
    }

    public string Directory { get; }

    public string Name { get; }

    public DatasetDescription Dataset { get; }

    public string RepresentationFile { get; }

    public long[] ReprTimestamps { get; }

    public long[] FrameTimestamps { get; }

    public long[] ObjframeIdx2ReprIdx { get; }

    public BoundingBox[] Labels { get; }

    public long[] ObjframeIdx2LabelIdx { get; }

    public int ReprCount => ReprTimestamps.Length;

    public static PreprocessedSequence Load(string directory, DatasetDescription dataset, string representationName = DefaultRepresentationName)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        string labelsDir = Path.Combine(directory, "labels_v2");
        string reprDir = Path.Combine(directory, "event_representations_v2", representationName);
        string labelsFile = Path.Combine(labelsDir, "labels.npz");
        string reprTsFile = Path.Combine(reprDir, "timestamps_us.npy");
        string mapFile = Path.Combine(reprDir, "objframe_idx_2_repr_idx.npy");
        foreach (string f in new[] { labelsFile, reprTsFile, mapFile })
        {
            if (!File.Exists(f))
            {
                throw new FileNotFoundException($"{directory}: preprocessed sequence is missing {Path.GetRelativePath(directory, f)}", f);
            }
        }
        string[] h5 = System.IO.Directory.Exists(reprDir)
            ? System.IO.Directory.GetFiles(reprDir, "event_representations*.h5")
            : [];
        if (h5.Length != 1)
        {
            throw new FileNotFoundException($"{reprDir}: expected exactly one event_representations*.h5, found {h5.Length}");
        }
        using NpzFile npz = NpzFile.Open(labelsFile);
        BoundingBox[] labels = BoundingBoxFile.FromNpy(npz.Read("labels"), labelsFile);
        // Labels preprocessed for another class list (another dataset config) would train or score the wrong classes.
        BoundingBoxFile.CheckClassIds(labels, dataset.ClassNames, labelsFile);
        long[] frameToLabel = npz.Read("objframe_idx_2_label_idx").ToInt64Array();
        long[] reprTs = NpyFile.Read(reprTsFile).ToInt64Array();
        long[] frameToRepr = NpyFile.Read(mapFile).ToInt64Array();
        string frameTsFile = Path.Combine(labelsDir, "timestamps_us.npy");
        long[] frameTs = File.Exists(frameTsFile)
            ? NpyFile.Read(frameTsFile).ToInt64Array()
            : frameToLabel.Select(i => labels[i].T).ToArray();
        Validate(directory, labels.Length, frameToLabel, frameToRepr, reprTs.Length, frameTs.Length);
        return new PreprocessedSequence(directory, dataset, h5[0], reprTs, frameTs, frameToRepr, labels, frameToLabel);
    }

    private static void Validate(string dir, int labelCount, long[] frameToLabel, long[] frameToRepr, int reprCount, int frameCount)
    {
        if (frameToLabel.Length != frameToRepr.Length || frameToLabel.Length != frameCount)
        {
            throw new DataFormatException(dir, $"index files disagree on the number of label frames ({frameToLabel.Length}, {frameToRepr.Length}, {frameCount})");
        }
        for (int k = 0; k < frameToLabel.Length; k++)
        {
            if (frameToLabel[k] < 0 || frameToLabel[k] > labelCount || (k > 0 && frameToLabel[k] < frameToLabel[k - 1]))
            {
                throw new DataFormatException(dir, $"objframe_idx_2_label_idx[{k}] = {frameToLabel[k]} is not a valid, non-decreasing row of the {labelCount} labels");
            }
            if (frameToRepr[k] < 0 || frameToRepr[k] >= reprCount || (k > 0 && frameToRepr[k] <= frameToRepr[k - 1]))
            {
                throw new DataFormatException(dir, $"objframe_idx_2_repr_idx[{k}] = {frameToRepr[k]} is not a valid, increasing index of the {reprCount} representations");
            }
        }
    }

    /// <summary>The label frame at representation <paramref name="reprIndex"/>, or −1.</summary>
    public int FrameAtRepr(int reprIndex) => reprIndex >= 0 && reprIndex < _reprToFrame.Length ? _reprToFrame[reprIndex] : -1;

    /// <summary>The stored boxes of label frame <paramref name="frame"/> (rows [idx[k], idx[k+1])).</summary>
    public ReadOnlySpan<BoundingBox> FrameBoxes(int frame)
    {
        int start = (int)ObjframeIdx2LabelIdx[frame];
        int end = frame + 1 < ObjframeIdx2LabelIdx.Length ? (int)ObjframeIdx2LabelIdx[frame + 1] : Labels.Length;
        return Labels.AsSpan(start, end - start);
    }

    /// <summary>The frame's boxes as the model and the evaluator see them (docs/DATA.md §3.2
    /// float32 arithmetic).</summary>
    public ObjectLabel[] FrameLabels(int frame) => ObjectLabel.FromBoxes(FrameBoxes(frame), Dataset.Sensor, Dataset.DownsampleBy2);
}
