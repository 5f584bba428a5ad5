using EventSsm.Datasets;
using EventSsm.Evaluation;

namespace EventSsm.Tests;

/// <summary>The dataset descriptions of the shipped configs/dataset/*.yaml, loaded once.</summary>
internal static class TestDatasets
{
    private static readonly Lazy<DatasetDescription> s_gen1 = new(() => Named("gen1"));
    private static readonly Lazy<DatasetDescription> s_gen4 = new(() => Named("gen4"));

    public static DatasetDescription Gen1 => s_gen1.Value;

    public static DatasetDescription Gen4 => s_gen4.Value;

    /// <summary>configs/dataset/<paramref name="name"/>.yaml with <paramref name="overrides"/>.</summary>
    public static DatasetDescription Named(string name, params string[] overrides) =>
        DatasetDescription.Load(TestConfigs.Directory, name, overrides);

    /// <summary>An evaluator with the dataset's classes and evaluation filter.</summary>
    public static PropheseeEvaluator Evaluator(DatasetDescription dataset, bool downsampledBy2) =>
        new(dataset.ClassNames, dataset.EvaluationFilter(downsampledBy2));
}
