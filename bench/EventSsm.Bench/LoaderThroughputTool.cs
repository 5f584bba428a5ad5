using System.Diagnostics;
using System.Globalization;
using EventSsm.Datasets;
using EventSsm.Labels;
using EventSsm.Training;
using static EventSsm.Bench.ToolArgs;

namespace EventSsm.Bench;

/// <summary>
/// Batches/s and frames/s of the training loader (<see cref="MixedBatchSampler"/> → <see cref="PrefetchingBatchSource"/>)
/// on a preprocessed gen1 dataset, synchronous and with background workers. A Stopwatch tool rather than a
/// BenchmarkDotNet class: it measures wall-clock overlap between threads, which BenchmarkDotNet's per-op model hides.
/// <c>--consume-ms</c> stands in for the training step: the consumer sleeps that long per batch, so the wall time
/// shows how much reading the workers hide behind it.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/EventSsm.Bench -- loader DATASET [--batches 40] [--batch 8] [--length 5]
/// [--workers 0,1,2] [--capacity-factor 2] [--consume-ms 0]</c>
/// </remarks>
internal static class LoaderThroughputTool
{
    public static void Run(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new ArgumentException("usage: loader DATASET_DIR [--batches N] [--batch B] [--length L] [--workers 0,1,2] [--capacity-factor F] [--consume-ms MS]");
        }
        string dataset = args[0];
        int batches = Int(args, "--batches", 40);
        int batchSize = Int(args, "--batch", 8);
        int length = Int(args, "--length", 5);
        int factor = Int(args, "--capacity-factor", 2);
        int consumeMs = Int(args, "--consume-ms", 0);
        int[] workerCounts = Value(args, "--workers", "0,1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        PreprocessedDataset train = PreprocessedDataset.Load(dataset, "train", DatasetDescription.Load(null, "gen1"));
        var sampler = new MixedBatchSampler(train.Sequences, length, batchSize, 1, 1, 240, 304, seed: 0, augment: true);
        BatchReader Open() => new(train.Sequences, H5RepresentationReader.Open, 20, 240, 304, 256, 320);
        Console.WriteLine($"{train.Sequences.Count} train sequences; B={batchSize} L={length}; {batches} batches per run; " +
            $"consumer {consumeMs} ms/batch; {Environment.ProcessorCount} processors; load {LoadAverage()}");
        Console.WriteLine($"{"workers",8} {"capacity",9} {"batches/s",10} {"frames/s",10} {"s",7}");

        // Warm the page cache and the JIT once, then time every configuration on the same batches.
        Measure(sampler, Open, 0, 1, Math.Min(batches, 8), 0);
        foreach (int workers in workerCounts)
        {
            int capacity = workers * factor;
            double seconds = Measure(sampler, Open, workers, capacity, batches, consumeMs);
            long frames = (long)batches * batchSize * length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{workers,8} {(workers == 0 ? "-" : capacity.ToString(CultureInfo.InvariantCulture)),9} {batches / seconds,10:F2} {frames / seconds,10:F1} {seconds,7:F2}"));
        }
    }

    private static double Measure(MixedBatchSampler sampler, Func<BatchReader> open, int workers, int capacity, int batches, int consumeMs)
    {
        var clock = Stopwatch.StartNew();
        using (var source = new PrefetchingBatchSource(sampler.Batches(0, batches), open, workers, Math.Max(1, capacity)))
        {
            while (source.Next() is SampleBatch batch)
            {
                batch.Dispose();
                if (consumeMs > 0)
                {
                    Thread.Sleep(consumeMs);
                }
            }
        }
        return clock.Elapsed.TotalSeconds;
    }
}
