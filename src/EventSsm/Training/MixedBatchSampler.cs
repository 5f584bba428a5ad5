using EventSsm.Datasets;

namespace EventSsm.Training;

/// <summary>
/// The original's "mixed" training batches (docs/DATA.md §3.4–3.6, §3.9): the first slots continue streams
/// (every slot walks all pieces in its own random order; augmentation drawn once per piece, zoom-out only), the rest
/// are random-access samples (augmentation drawn per sample). Every choice is a pure function of (seed, step), so a
/// resumed run sees exactly the batches an uninterrupted one would.
/// </summary>
public sealed class MixedBatchSampler
{
    private readonly IReadOnlyList<PreprocessedSequence> _sequences;
    private readonly List<List<StreamChunk>> _pieces;
    private readonly List<(int Sequence, int End)> _random;
    private readonly int _length;
    private readonly int _height;
    private readonly int _width;
    private readonly int _seed;
    private readonly bool _augment;
    private readonly long _streamEpochSteps;
    private long _cachedEpoch = -1;
    private List<StreamChunk[]> _epochBatches = [];

    public MixedBatchSampler(IReadOnlyList<PreprocessedSequence> sequences, int sequenceLength, int batchSize,
        double streamWeight, double randomWeight, int height, int width, int seed, bool augment)
    {
        _sequences = sequences;
        _length = sequenceLength;
        _height = height;
        _width = width;
        _seed = seed;
        _augment = augment;
        (StreamSlots, RandomSlots) = SamplingPlans.MixedSplit(batchSize, streamWeight, randomWeight);
        _pieces = sequences.SelectMany((s, i) => SamplingPlans.TrainingPieces(i, s.ObjframeIdx2ReprIdx, sequenceLength)).ToList();
        _random = SamplingPlans.RandomAccess(sequences.Select(s => s.ObjframeIdx2ReprIdx).ToList(), sequenceLength);
        _streamEpochSteps = _pieces.Sum(p => p.Count);
        if (_streamEpochSteps == 0)
        {
            throw new InvalidOperationException("the training split has no labelled representations to stream");
        }
        if (RandomSlots > 0 && _random.Count == 0)
        {
            throw new InvalidOperationException($"no label frame has {sequenceLength - 1} representations of history; lower dataset.sequence_length");
        }
    }

    public int StreamSlots { get; }

    public int RandomSlots { get; }

    public (StreamChunk?[] Slots, AugmentationParams?[] Augment) BatchAt(long step)
    {
        var slots = new StreamChunk?[StreamSlots + RandomSlots];
        var aug = new AugmentationParams?[slots.Length];
        long epoch = step / _streamEpochSteps;
        int pos = (int)(step % _streamEpochSteps);
        List<StreamChunk[]> batches = StreamEpoch(epoch);
        for (int s = 0; s < StreamSlots; s++)
        {
            slots[s] = batches[pos][s];
            if (_augment)
            {
                // Parameters belong to the piece: drawn at the step where the piece started in this slot.
                int start = pos;
                while (!batches[start][s].IsFirstSample)
                {
                    start--;
                }
                aug[s] = Augmentation.SampleStreaming(Rng("stream-aug", epoch, start, s), _height, _width);
            }
        }
        for (int j = 0; j < RandomSlots; j++)
        {
            long g = (step * RandomSlots) + j;
            long rEpoch = g / _random.Count;
            int[] perm = Permutation(_random.Count, Rng("random-order", rEpoch, 0, 0));
            (int seq, int end) = _random[perm[g % _random.Count]];
            slots[StreamSlots + j] = BatchReader.RandomAccessChunk(seq, end, _length);
            if (_augment)
            {
                int frame = _sequences[seq].FrameAtRepr(end);
                ObjectLabel[]? latest = frame >= 0 ? _sequences[seq].FrameLabels(frame) : null;
                aug[StreamSlots + j] = Augmentation.SampleRandomAccess(Rng("random-aug", step, j, 0), _height, _width, latest);
            }
        }
        return (slots, aug);
    }

    /// <summary>The requests of steps [<paramref name="from"/>, <paramref name="to"/>), drawn lazily in step order.</summary>
    public IEnumerable<BatchRequest> Batches(long from, long to)
    {
        for (long step = from; step < to; step++)
        {
            (StreamChunk?[] slots, AugmentationParams?[] aug) = BatchAt(step);
            yield return new BatchRequest(slots, aug);
        }
    }

    private List<StreamChunk[]> StreamEpoch(long epoch)
    {
        if (epoch != _cachedEpoch)
        {
            _epochBatches = SamplingPlans.TrainingStreamBatches(_pieces, StreamSlots, Rng("stream-order", epoch, 0, 0));
            _cachedEpoch = epoch;
        }
        return _epochBatches;
    }

    private static int[] Permutation(int n, Random rng)
    {
        int[] p = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(p);
        return p;
    }

    // HashCode and string.GetHashCode are randomised per process; a resumed run in a new process must draw the same
    // numbers, so seeds are mixed with SplitMix64 over a stable string hash.
    private Random Rng(string purpose, long a, long b, long c)
    {
        ulong h = Mix((ulong)_seed);
        foreach (char ch in purpose)
        {
            h = Mix(h ^ ch);
        }
        h = Mix(h ^ (ulong)a);
        h = Mix(h ^ (ulong)b);
        h = Mix(h ^ (ulong)c);
        return new Random((int)(h & 0x7FFFFFFF));
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
