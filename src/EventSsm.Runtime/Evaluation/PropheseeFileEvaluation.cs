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
        DatasetKind dataset, bool downsampledBy2, EvaluationMode mode)
    {
        IReadOnlyList<BoxFilePair> pairs = FindPairs(groundTruthDir, detectionDir);
        return (pairs.Count, Evaluate(pairs, dataset, downsampledBy2, mode));
    }

    /// <summary>Evaluates the file pairs, in the given order, with the dataset's filter thresholds.</summary>
    public static DetectionMetrics Evaluate(
        IReadOnlyList<BoxFilePair> pairs,
        DatasetKind dataset,
        bool downsampledBy2,
        EvaluationMode mode)
    {
        var evaluator = new PropheseeEvaluator(dataset, downsampledBy2);
        foreach (BoxFilePair pair in pairs)
        {
            BoundingBox[] gt = ReadChecked(pair.GroundTruthPath, evaluator);
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
        for (int i = 0; i < boxes.Length; i++)
        {
            if (boxes[i].ClassId >= (uint)evaluator.ClassNames.Count)
            {
                throw new DataFormatException(path,
                    $"row {i}: class id {boxes[i].ClassId} is not a {evaluator.Dataset.ToString().ToLowerInvariant()} class " +
                    $"(0..{evaluator.ClassNames.Count - 1}: {string.Join(", ", evaluator.ClassNames)})");
            }
        }
        return boxes;
    }
}
