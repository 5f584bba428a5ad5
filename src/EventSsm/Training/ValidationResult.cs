using EventSsm.Evaluation;

namespace EventSsm.Training;

/// <summary>
/// What <see cref="Validator.Run"/> computed: the metrics, COCOeval's accumulated arrays (null when there were no
/// detections at all), each class's filtered ground-truth count, and the samples that were asked for.
/// </summary>
public sealed record ValidationResult(DetectionMetrics Metrics, CocoEvalResult? Coco, IReadOnlyList<int> GroundTruthPerClass,
    IReadOnlyList<DetectionSample> Samples);
