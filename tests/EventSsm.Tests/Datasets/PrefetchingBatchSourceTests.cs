using FsCheck;
using FsCheck.Xunit;
using EventSsm.Datasets;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Training;
using static TorchSharp.torch;

namespace EventSsm.Tests.Datasets;

public sealed class PrefetchingBatchSourceTests
{
    /// <summary>Frames whose bytes encode (sequence, index); counts reads, can fail at or block on one index.</summary>
    private sealed class FakeFrames(PreprocessedSequence sequence, int c, int h, int w, Counters counters) : IRepresentationReader
    {
        public int Count => sequence.ReprCount;

        public int Channels => c;

        public int Height => h;

        public int Width => w;

        public void Read(int index, Span<byte> destination)
        {
            if (index == counters.FailAt)
            {
                throw new DataFormatException(sequence.RepresentationFile, $"frame {index} is corrupt");
            }
            if (index == counters.BlockAt)
            {
                counters.Blocked.Set();
                counters.Release.Wait();
            }
            int reads = Interlocked.Increment(ref counters.Reads);
            counters.RecordAhead(reads - Volatile.Read(ref counters.Consumed));
            destination.Fill((byte)((index * 7) + sequence.ReprCount));
        }

        public void Dispose() => Interlocked.Increment(ref counters.Disposed);
    }

    private sealed class Counters
    {
        public int Reads;
        public int Disposed;
        public int Opened;
        public int FramesOpened;
        public int Consumed;
        public int MaxAhead;
        public int FailAt = -1;
        public int BlockAt = -1;
        public readonly ManualResetEventSlim Blocked = new();
        public readonly ManualResetEventSlim Release = new();

        /// <summary>Keeps the largest number of frames read but not yet handed to the consumer.</summary>
        public void RecordAhead(int ahead)
        {
            int seen;
            while (ahead > (seen = Volatile.Read(ref MaxAhead)) && Interlocked.CompareExchange(ref MaxAhead, ahead, seen) != seen)
            {
            }
        }
    }

    /// <summary>Fails the test instead of hanging it when <paramref name="action"/> never returns.</summary>
    private static void WithinHangGuard(Action action, string what)
    {
        Assert.True(Task.Run(action).Wait(TimeSpan.FromMinutes(1)), $"{what} did not return (hang)");
    }

    private static PreprocessedDataset Train() =>
        PreprocessedDataset.Load(Fixtures.Preprocessed.Out(), "train", TestDatasets.Gen1);

    private static Func<BatchReader> FakeReader(PreprocessedDataset data, Counters counters) => () =>
    {
        Interlocked.Increment(ref counters.Opened);
        return new BatchReader(data.Sequences, s =>
        {
            Interlocked.Increment(ref counters.FramesOpened);
            return new FakeFrames(s, 2, 3, 4, counters);
        }, 2, 3, 4, 4, 5);
    };

    /// <summary>Random-access requests (one slot, L = 1: one frame read per batch) over the whole train split, forever.</summary>
    private static IEnumerable<BatchRequest> EndlessRequests(PreprocessedDataset data)
    {
        for (int i = 0; ; i++)
        {
            int s = i % data.Sequences.Count;
            yield return new BatchRequest([BatchReader.RandomAccessChunk(s, i % data.Sequences[s].ReprCount, 1)]);
        }
    }

    private static List<SampleBatch> ReadAll(PrefetchingBatchSource source)
    {
        var all = new List<SampleBatch>();
        while (source.Next() is SampleBatch b)
        {
            all.Add(b);
        }
        return all;
    }

    private static void AssertSameBatches(IReadOnlyList<SampleBatch> expected, IReadOnlyList<SampleBatch> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            SampleBatch e = expected[i];
            SampleBatch a = actual[i];
            Assert.Equal(e.Counts.shape, a.Counts.shape);
            Assert.True(e.Counts.eq(a.Counts).all().item<bool>(), $"batch {i}: inputs differ");
            Assert.Equal(e.IsFirstSample, a.IsFirstSample);
            Assert.Equal(e.IsPadded, a.IsPadded);
            Assert.Equal(e.SlotSequence, a.SlotSequence);
            Assert.Equal(e.LabelTimes, a.LabelTimes);
            Assert.Equal(e.Labels, a.Labels);
        }
    }

    private static void DisposeAll(IEnumerable<SampleBatch> batches)
    {
        foreach (SampleBatch b in batches)
        {
            b.Dispose();
        }
    }

    [Fact]
    public void Prefetch_GivesTheSynchronousBatches_OnTheGoldenDataset()
    {
        // Real HDF5 frames, mixed stream/random slots with augmentation, as the trainer reads them. Other worker
        // counts and capacities: the property below (fake frames, same code path).
        PreprocessedDataset train = Train();
        var sampler = new MixedBatchSampler(train.Sequences, 3, 2, 1, 1, 240, 304, seed: 3, augment: true);
        BatchReader Open() => new(train.Sequences, H5RepresentationReader.Open, 20, 240, 304, 256, 320);
        const int steps = 12;
        List<SampleBatch> sync = [];
        List<SampleBatch> prefetched = [];
        try
        {
            using (var source = new PrefetchingBatchSource(sampler.Batches(0, steps), Open, 0))
            {
                sync = ReadAll(source);
            }
            using (var source = new PrefetchingBatchSource(sampler.Batches(0, steps), Open, workers: 2, capacity: 3))
            {
                prefetched = ReadAll(source);
            }
            Assert.Equal(steps, sync.Count);
            Assert.Contains(sync, b => b.IsFirstSample[0]);
            Assert.Contains(sync, b => !b.IsFirstSample[0]);
            AssertSameBatches(sync, prefetched);
        }
        finally
        {
            DisposeAll(sync);
            DisposeAll(prefetched);
        }
    }

    [Property(MaxTest = 25)]
    public bool AnyWorkerCountAndCapacity_GiveTheSynchronousOrder(NonNegativeInt workerCount, PositiveInt capacity, int seed)
    {
        PreprocessedDataset train = Train();
        int workers = workerCount.Get % 5;
        var rng = new Random(seed);
        List<BatchRequest> requests = Enumerable.Range(0, rng.Next(0, 30)).Select(_ =>
        {
            int s = rng.Next(train.Sequences.Count);
            int end = rng.Next(2, train.Sequences[s].ReprCount);
            return new BatchRequest([BatchReader.RandomAccessChunk(s, end, 3), null]);
        }).ToList();
        var counters = new Counters();
        List<SampleBatch> sync = [];
        List<SampleBatch> prefetched = [];
        try
        {
            using (var source = new PrefetchingBatchSource(requests, FakeReader(train, new Counters()), 0))
            {
                sync = ReadAll(source);
            }
            using (var source = new PrefetchingBatchSource(requests, FakeReader(train, counters), workers, (capacity.Get % 6) + 1))
            {
                prefetched = ReadAll(source);
                Assert.Null(source.Next());
            }
            AssertSameBatches(sync, prefetched);
            // One reader per worker at most, and every file handle closed once the source is disposed.
            return sync.Count == requests.Count && counters.Opened <= Math.Max(1, workers)
                && counters.FramesOpened == counters.Disposed;
        }
        finally
        {
            DisposeAll(sync);
            DisposeAll(prefetched);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void ReadFailure_SurfacesOnTheConsumer_WithTheFileName_AfterTheEarlierBatches(int workers)
    {
        PreprocessedDataset train = Train();
        var counters = new Counters { FailAt = 5 };
        // Batch i reads frame i of sequence 0 (L = 1), so batch 5 fails.
        List<BatchRequest> requests = Enumerable.Range(0, 12).Select(i => new BatchRequest([BatchReader.RandomAccessChunk(0, i, 1)])).ToList();
        using var source = new PrefetchingBatchSource(requests, FakeReader(train, counters), workers);
        for (int i = 0; i < 5; i++)
        {
            using SampleBatch? b = source.Next();
            Assert.NotNull(b);
        }
        var e = Assert.Throws<DataFormatException>(() => source.Next());
        Assert.Contains(train.Sequences[0].RepresentationFile, e.Message);
        Assert.Contains("frame 5 is corrupt", e.Message);
        Assert.Throws<DataFormatException>(() => source.Next());
    }

    [Fact]
    public void FailingRequestEnumerator_SurfacesOnTheConsumer()
    {
        static IEnumerable<BatchRequest> Failing()
        {
            yield return new BatchRequest([BatchReader.RandomAccessChunk(0, 0, 1)]);
            throw new InvalidOperationException("sampler broke");
        }
        using var source = new PrefetchingBatchSource(Failing(), FakeReader(Train(), new Counters()), 2);
        using (SampleBatch? first = source.Next())
        {
            Assert.NotNull(first);
        }
        Assert.Equal("sampler broke", Assert.Throws<InvalidOperationException>(() => source.Next()).Message);
    }

    [Fact]
    public void Workers_ReadNoMoreThanTheCapacityAhead_AndDisposeStopsThem()
    {
        PreprocessedDataset train = Train();
        var counters = new Counters();
        var source = new PrefetchingBatchSource(EndlessRequests(train), FakeReader(train, counters), workers: 3, capacity: 4);
        // The consumer counts a batch as taken just before asking for it, so every read a freed slot allows sees the
        // count already raised: reads − consumed may reach the capacity but never exceed it.
        for (int i = 0; i < 40; i++)
        {
            Interlocked.Increment(ref counters.Consumed);
            using SampleBatch? b = source.Next();
            Assert.NotNull(b);
        }
        SpinWait.SpinUntil(() => Volatile.Read(ref counters.Reads) >= 44, TimeSpan.FromMinutes(1));
        Assert.Equal(44, Volatile.Read(ref counters.Reads));   // the queue is full again: 40 taken + 4 ahead
        Assert.Equal(4, counters.MaxAhead);

        // All three workers now wait on the full queue; Dispose must wake and join them and close every reader.
        WithinHangGuard(source.Dispose, "Dispose");
        Assert.Equal(counters.FramesOpened, counters.Disposed);
        Assert.Throws<ObjectDisposedException>(() => source.Next());
    }

    [Fact]
    public void Next_StopsWaitingWhenCancelled()
    {
        PreprocessedDataset train = Train();
        var counters = new Counters { BlockAt = 0 };
        using var source = new PrefetchingBatchSource(EndlessRequests(train), FakeReader(train, counters), workers: 1);
        Assert.True(counters.Blocked.Wait(TimeSpan.FromSeconds(10)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        WithinHangGuard(() => Assert.ThrowsAny<OperationCanceledException>(() => source.Next(cts.Token)), "Next after cancellation");
        counters.Release.Set(); // lets the worker finish its read so Dispose can join it
    }
}
