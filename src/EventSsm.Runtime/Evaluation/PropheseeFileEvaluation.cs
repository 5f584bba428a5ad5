using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Evaluation;

/// <summary>How a (ground truth, detections) file pair becomes evaluation entries.</summary>
public enum EvaluationMode
{
    /// <summary>The Prophesee toolbox: each file pair is one entry; detections within ±50 ms of a label time join that image.</summary>
    PerSequence,

    /// <summary>RVT's validation: one entry per ground-truth timestamp, holding the detections whose t equals it.</summary>
    PerFrame,
}

/// <summary>One ground-truth file and the detection file evaluated against it.</summary>
public readonly record struct BoxFilePair(string GroundTruthPath, string DetectionPath);

/// <summary>
/// The Prophesee toolbox's folder interface: every <c>&lt;name&gt;_bbox.npy</c> in the ground-truth folder is paired
/// with the file of the same name in the detection folder (Prophesee bbox dtype; detections score by
/// <c>class_confidence</c>), in ordinal name order as the toolbox's <c>sorted(glob(...))</c>.
/// </summary>
public static class PropheseeFileEvaluation
{
    /// <summary>The suffix that marks a Prophesee box file.</summary>
    public const string FileSuffix = "_bbox.npy";

    /// <summary>
    /// Pairs every <c>*_bbox.npy</c> of <paramref name="groundTruthDir"/> with the same name in <paramref
    /// name="detectionDir"/>; a missing detection file is an error naming it.
    /// </summary>
    public static IReadOnlyList<BoxFilePair> FindPairs(string groundTruthDir, string detectionDir)
    {
        if (!Directory.Exists(groundTruthDir))
        {
            throw new DirectoryNotFoundException($"{groundTruthDir}: ground-truth folder not found");
        }
        if (!Directory.Exists(detectionDir))
        {
            throw new DirectoryNotFoundException($"{detectionDir}: detection folder not found");
        }
        string[] gtFiles = Directory.GetFiles(groundTruthDir, "*" + FileSuffix)
            .Where(f => f.EndsWith(FileSuffix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (gtFiles.Length == 0)
        {
            throw new FileNotFoundException($"{groundTruthDir}: no *{FileSuffix} ground-truth files");
        }
        var pairs = new List<BoxFilePair>(gtFiles.Length);
        foreach (string gt in gtFiles)
        {
            string dt = Path.Combine(detectionDir, Path.GetFileName(gt));
            if (!File.Exists(dt))
            {
                throw new FileNotFoundException($"{dt}: no detection file for ground truth {gt}", dt);
            }
            pairs.Add(new BoxFilePair(gt, dt));
        }
        return pairs;
    }

    /// <summary>
    /// The <c>evaluate</c> command: pairs the files of two folders (<see cref="FindPairs"/>) and evaluates them; returns
    /// the number of pairs with the metrics.
    /// </summary>
    public static (int Pairs, DetectionMetrics Metrics) EvaluateFolders(string groundTruthDir, string detectionDir,
        IReadOnlyList<string> classNames, BoxFilter filter, EvaluationMode mode, ClassMap? groundTruthClasses = null)
    {
        IReadOnlyList<BoxFilePair> pairs = FindPairs(groundTruthDir, detectionDir);
        return (pairs.Count, Evaluate(pairs, classNames, filter, mode, groundTruthClasses));
    }

    /// <summary>Evaluates the file pairs, in the given order, with the dataset's classes and filter.</summary>
    /// <param name="pairs">Ground-truth and detection files, evaluated in this order.</param>
    /// <param name="classNames">The dataset's classes by class id.</param>
    /// <param name="filter">The dataset's evaluation filter.</param>
    /// <param name="mode">How ground truth and detections are matched in time.</param>
    /// <param name="groundTruthClasses">
    /// For ground truth read from a dataset's own label files: maps their class ids to <paramref name="classNames"/>
    /// and drops unmapped ones (docs/DATA.md §8.2). Null: the files hold class ids already.
    /// </param>
    public static DetectionMetrics Evaluate(
        IReadOnlyList<BoxFilePair> pairs,
        IReadOnlyList<string> classNames,
        BoxFilter filter,
        EvaluationMode mode,
        ClassMap? groundTruthClasses = null)
    {
        var evaluator = new PropheseeEvaluator(classNames, filter);
        if (groundTruthClasses is not null && !groundTruthClasses.Names.SequenceEqual(classNames, StringComparer.Ordinal))
        {
            throw new ArgumentException($"the label map's classes ({string.Join(", ", groundTruthClasses.Names)}) are not the evaluated ones ({string.Join(", ", classNames)})");
        }
        foreach (BoxFilePair pair in pairs)
        {
            BoundingBox[] gt = groundTruthClasses is null
                ? ReadChecked(pair.GroundTruthPath, evaluator)
                : groundTruthClasses.Apply(BoundingBoxFile.Read(pair.GroundTruthPath), pair.GroundTruthPath);
            BoundingBox[] dt = ReadChecked(pair.DetectionPath, evaluator);
            try
            {
                if (mode == EvaluationMode.PerFrame)
                {
                    evaluator.AddSequenceByFrame(gt, dt);
                }
                else
                {
                    evaluator.AddSequence(gt, dt);
                }
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException($"{pair.GroundTruthPath} / {pair.DetectionPath}", e.Message, e);
            }
        }
        return evaluator.Compute();
    }

    private static BoundingBox[] ReadChecked(string path, PropheseeEvaluator evaluator)
    {
        BoundingBox[] boxes = BoundingBoxFile.Read(path);
        BoundingBoxFile.CheckClassIds(boxes, evaluator.ClassNames, path);
        return boxes;
    }
}
