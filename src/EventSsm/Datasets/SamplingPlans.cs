namespace EventSsm.Datasets;

/// <summary>
/// Which representation steps go into each sample and batch, reproducing the original's loaders
/// (docs/DATA.md §3.3–3.6). Plans are index arithmetic only; readers fill in the data.
/// </summary>
public static class SamplingPlans
{
    /// <summary>
    /// Random-access samples (docs/DATA.md §3.3): one per label frame whose representation index is ≥ L−1; the sample
    /// is representations [idx−L+1, idx]. Returns (sequence, end index) pairs in sequence then frame order.
    /// </summary>
    public static List<(int Sequence, int End)> RandomAccess(IReadOnlyList<long[]> objframeIdx2ReprIdx, int sequenceLength)
    {
        var r = new List<(int, int)>();
        for (int s = 0; s < objframeIdx2ReprIdx.Count; s++)
        {
            foreach (long idx in objframeIdx2ReprIdx[s])
            {
                if (idx >= sequenceLength - 1)
                {
                    r.Add((s, (int)idx));
                }
            }
        }
        return r;
    }

    /// <summary>
    /// Evaluation stream of one sequence (docs/DATA.md §3.5): representations [max(first label idx − L + 1, 0), N) cut
    /// into chunks of L, the last one zero-padded. The warm-up is L−1 steps before the first label, not from step 0.
    /// </summary>
    public static List<StreamChunk> EvaluationStream(int sequence, long firstLabelReprIdx, int reprCount, int sequenceLength)
    {
        int start = (int)Math.Max(firstLabelReprIdx - sequenceLength + 1, 0);
        return Chunks(sequence, start, reprCount, sequenceLength);
    }

    /// <summary>
    /// Training stream pieces of one sequence (docs/DATA.md §3.4): labelled indices split where the gap exceeds L; each
    /// piece covers [max(first−L+1, 0), last+1) in chunks of L, the first chunk of a piece flagged as first sample.
    /// </summary>
    public static List<List<StreamChunk>> TrainingPieces(int sequence, long[] labelledReprIdx, int sequenceLength)
    {
        var pieces = new List<List<StreamChunk>>();
        if (labelledReprIdx.Length == 0)
        {
            return pieces;
        }
        int pieceStart = 0;
        for (int i = 1; i <= labelledReprIdx.Length; i++)
        {
            if (i == labelledReprIdx.Length || labelledReprIdx[i] - labelledReprIdx[i - 1] > sequenceLength)
            {
                int first = (int)labelledReprIdx[pieceStart];
                int last = (int)labelledReprIdx[i - 1];
                pieces.Add(Chunks(sequence, Math.Max(first - sequenceLength + 1, 0), last + 1, sequenceLength));
                pieceStart = i;
            }
        }
        return pieces;
    }

    private static List<StreamChunk> Chunks(int sequence, int start, int end, int length)
    {
        var chunks = new List<StreamChunk>();
        for (int s = start, k = 0; s < end; s += length, k++)
        {
            int pad = Math.Max(0, s + length - end);
            chunks.Add(new StreamChunk(sequence, s, length, pad, k == 0));
        }
        return chunks;
    }

    /// <summary>
    /// Batches of the streaming evaluation (docs/DATA.md §3.5). Streams are sorted by length (descending, stable) and
    /// dealt to workers, then to batch slots, in zig-zag order; each slot concatenates its streams; finished slots are
    /// filled with fully padded samples (null) until every slot is done. Batches of the workers interleave
    /// round-robin like PyTorch's DataLoader. With fewer streams than slots the batch shrinks to the stream count
    /// (the original requires at least B streams per worker and fails otherwise).
    /// </summary>
    public static List<StreamChunk?[]> EvaluationBatches(IReadOnlyList<List<StreamChunk>> streams, int batchSize, int workers = 1) =>
        EvaluationWorkerBatches(streams, batchSize, workers).Select(b => b.Slots).ToList();

    /// <summary>
    /// <see cref="EvaluationBatches"/> with the worker that produced each batch: recurrent states are kept per
    /// worker (docs/DATA.md §3.7), since consecutive batches of one worker continue the same streams.
    /// </summary>
    public static List<(int Worker, StreamChunk?[] Slots)> EvaluationWorkerBatches(IReadOnlyList<List<StreamChunk>> streams, int batchSize, int workers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        int[] order = Enumerable.Range(0, streams.Count).OrderByDescending(i => streams[i].Count).ToArray(); // stable
        List<int>[] perWorker = ZigZag(order, workers);
        var workerBatches = new List<(int Worker, List<StreamChunk?[]> Batches)>();
        for (int w = 0; w < perWorker.Length; w++)
        {
            List<int> ws = perWorker[w];
            if (ws.Count == 0)
            {
                continue;
            }
            int slots = Math.Min(batchSize, ws.Count);
            List<int>[] perSlot = ZigZag(ws, slots);
            List<StreamChunk>[] slotChunks = perSlot.Select(ids => ids.SelectMany(i => streams[i]).ToList()).ToArray();
            int steps = slotChunks.Max(c => c.Count);
            var batches = new List<StreamChunk?[]>(steps);
            for (int k = 0; k < steps; k++)
            {
                batches.Add(slotChunks.Select(c => k < c.Count ? c[k] : null).ToArray());
            }
            workerBatches.Add((w, batches));
        }
        var result = new List<(int, StreamChunk?[])>();
        int most = workerBatches.Count == 0 ? 0 : workerBatches.Max(b => b.Batches.Count);
        for (int k = 0; k < most; k++)
        {
            foreach ((int w, List<StreamChunk?[]> wb) in workerBatches)
            {
                if (k < wb.Count)
                {
                    result.Add((w, wb[k]));
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Training stream slots (docs/DATA.md §3.4): each of the B slots concatenates all pieces in its own random order;
    /// slots are zipped, so the epoch ends with the shortest slot.
    /// </summary>
    public static List<StreamChunk[]> TrainingStreamBatches(IReadOnlyList<List<StreamChunk>> pieces, int batchSize, Random rng)
    {
        var slots = new List<StreamChunk>[batchSize];
        for (int b = 0; b < batchSize; b++)
        {
            int[] perm = Enumerable.Range(0, pieces.Count).ToArray();
            rng.Shuffle(perm);
            slots[b] = perm.SelectMany(i => pieces[i]).ToList();
        }
        int steps = slots.Min(s => s.Count);
        var batches = new List<StreamChunk[]>(steps);
        for (int k = 0; k < steps; k++)
        {
            batches.Add(slots.Select(s => s[k]).ToArray());
        }
        return batches;
    }

    /// <summary>Mixed-mode split of a batch (docs/DATA.md §3.6): stream samples first, then random ones.</summary>
    public static (int Stream, int Random) MixedSplit(int batchSize, double weightStream = 1, double weightRandom = 1)
    {
        int rnd = (int)Math.Min(Math.Round(batchSize * weightRandom / (weightStream + weightRandom), MidpointRounding.ToEven), batchSize - 1);
        return (batchSize - rnd, rnd);
    }

    private static List<int>[] ZigZag(IReadOnlyList<int> items, int bins)
    {
        var result = new List<int>[bins];
        for (int i = 0; i < bins; i++)
        {
            result[i] = [];
        }
        for (int i = 0; i < items.Count; i++)
        {
            int round = i / bins;
            int pos = i % bins;
            result[round % 2 == 0 ? pos : bins - 1 - pos].Add(items[i]);
        }
        return result;
    }
}
