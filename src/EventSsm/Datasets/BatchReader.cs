using static TorchSharp.torch;

namespace EventSsm.Datasets;

/// <summary>
/// Reads the frames and labels of <see cref="StreamChunk"/>s and random-access samples into <see cref="SampleBatch"/>es,
/// keeping one open representation reader per sequence.
/// </summary>
public sealed class BatchReader : IDisposable
{
    private readonly IReadOnlyList<PreprocessedSequence> _sequences;
    private readonly Func<PreprocessedSequence, IRepresentationReader> _open;
    private readonly Dictionary<int, IRepresentationReader> _readers = [];

    /// <param name="paddedHeight">Model input height (data height padded to a multiple of 32·split).</param>
    /// <param name="paddedWidth">Model input width.</param>
    public BatchReader(IReadOnlyList<PreprocessedSequence> sequences, Func<PreprocessedSequence, IRepresentationReader> open,
        int channels, int height, int width, int paddedHeight, int paddedWidth)
    {
        if (paddedHeight < height || paddedWidth < width)
        {
            throw new ArgumentException($"model input {paddedHeight}×{paddedWidth} is smaller than the data {height}×{width}");
        }
        _sequences = sequences;
        _open = open;
        Channels = channels;
        Height = height;
        Width = width;
        PaddedHeight = paddedHeight;
        PaddedWidth = paddedWidth;
    }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int PaddedHeight { get; }

    public int PaddedWidth { get; }

    /// <summary>
    /// Builds a batch from per-slot chunks (null = a fully padded filler slot, docs/DATA.md §3.5), applying per-slot
    /// augmentation parameters when given.
    /// </summary>
    public SampleBatch Read(IReadOnlyList<StreamChunk?> slots, IReadOnlyList<AugmentationParams?>? augment = null)
    {
        int b = slots.Count;
        int l = slots.FirstOrDefault(c => c is not null)?.Length
            ?? throw new ArgumentException("a batch needs at least one non-filler slot");
        int plane = Height * Width;
        int frame = Channels * plane;
        var labels = new ObjectLabel[]?[l, b];
        var times = new long[l, b];
        var padded = new bool[l, b];
        var first = new bool[b];
        var slotSeq = new int[b];
        var padded5d = new byte[(long)l * b * Channels * PaddedHeight * PaddedWidth];
        var slotBuf = new byte[l * frame];
        for (int s = 0; s < b; s++)
        {
            StreamChunk? c = slots[s];
            slotSeq[s] = c?.Sequence ?? -1;
            if (c is null)
            {
                for (int t = 0; t < l; t++)
                {
                    padded[t, s] = true;
                }
                continue;
            }
            if (c.Length != l)
            {
                throw new ArgumentException("all chunks of a batch must have the same length");
            }
            first[s] = c.IsFirstSample;
            PreprocessedSequence seq = _sequences[c.Sequence];
            IRepresentationReader reader = Reader(c.Sequence);
            Array.Clear(slotBuf);
            var slotLabels = new ObjectLabel[]?[l];
            for (int t = 0; t < l; t++)
            {
                int r = c.Start + t;
                if (r >= seq.ReprCount)
                {
                    padded[t, s] = true;
                    continue;
                }
                reader.Read(r, slotBuf.AsSpan(t * frame, frame));
                int k = seq.FrameAtRepr(r);
                if (k >= 0)
                {
                    slotLabels[t] = seq.FrameLabels(k);
                    times[t, s] = seq.FrameTimestamps[k];
                }
            }
            if (augment?[s] is AugmentationParams p)
            {
                Augmentation.Apply(p, slotBuf, l * Channels, Height, Width, slotLabels);
            }
            for (int t = 0; t < l; t++)
            {
                labels[t, s] = slotLabels[t];
                CopyPadded(slotBuf.AsSpan(t * frame, frame), padded5d, (((long)t * b) + s) * Channels * PaddedHeight * PaddedWidth);
            }
        }
        Tensor input = tensor(padded5d, [l, b, Channels, PaddedHeight, PaddedWidth]);
        return new SampleBatch(input, labels, times, first, padded, slotSeq);
    }

    /// <summary>A random-access sample (docs/DATA.md §3.3): the L representations ending at <paramref name="end"/>,
    /// always a first sample.</summary>
    public static StreamChunk RandomAccessChunk(int sequence, int end, int sequenceLength) =>
        new(sequence, end - sequenceLength + 1, sequenceLength, 0, true);

    private void CopyPadded(ReadOnlySpan<byte> src, byte[] dst, long offset)
    {
        for (int c = 0; c < Channels; c++)
        {
            for (int y = 0; y < Height; y++)
            {
                long row = offset + (((long)c * PaddedHeight) + y) * PaddedWidth;
                src.Slice((c * Height * Width) + (y * Width), Width).CopyTo(dst.AsSpan(checked((int)row), Width));
            }
        }
    }

    private IRepresentationReader Reader(int sequence)
    {
        if (!_readers.TryGetValue(sequence, out IRepresentationReader? r))
        {
            r = _open(_sequences[sequence]);
            if (r.Channels != Channels || r.Height != Height || r.Width != Width)
            {
                r.Dispose();
                throw new InvalidOperationException($"{_sequences[sequence].RepresentationFile}: frames are {r.Channels}×{r.Height}×{r.Width}, expected {Channels}×{Height}×{Width}");
            }
            _readers[sequence] = r;
        }
        return r;
    }

    public void Dispose()
    {
        foreach (IRepresentationReader r in _readers.Values)
        {
            r.Dispose();
        }
        _readers.Clear();
    }
}
