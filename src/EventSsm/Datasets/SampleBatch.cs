using static TorchSharp.torch;

namespace EventSsm.Datasets;

/// <summary>
/// One training or evaluation step: a chunk of L frames for B slots, zero-padded on the right and bottom to the
/// model's input size (docs/DATA.md §3.8), with the labels of every (t, b) that has a label frame.
/// </summary>
public sealed class SampleBatch : IDisposable
{
    public SampleBatch(Tensor counts, ObjectLabel[]?[,] labels, long[,] labelTimes, bool[] isFirstSample, bool[,] isPadded, int[] slotSequence)
    {
        Counts = counts;
        Labels = labels;
        LabelTimes = labelTimes;
        IsFirstSample = isFirstSample;
        IsPadded = isPadded;
        SlotSequence = slotSequence;
    }

    /// <summary>
    /// (L, B, C, Hp, Wp) uint8 histogram counts. Batches wait in the prefetch queue in this form (a quarter of the
    /// float32 size: a gen1 L = 21, B = 8 batch is 0.28 GB instead of 1.1 GB); <see cref="InputOn"/> converts.
    /// </summary>
    public Tensor Counts { get; }

    /// <summary>The model input: the counts as float32 (exact; not normalised, docs/DATA.md §3.3) on
    /// <paramref name="device"/>, owned by the caller. Shaped (L, B, C, Hp, Wp) with channels-last memory
    /// (L, B, Hp, Wp, C), the layout the backbone's first convolution runs on (docs/MODEL.md §11.1).</summary>
    public Tensor InputOn(Device? device = null)
    {
        using Tensor nhwc = Counts.to(device ?? CPU).permute(0, 1, 3, 4, 2).contiguous();
        return nhwc.to_type(ScalarType.Float32).permute(0, 1, 4, 2, 3);
    }

    /// <summary>[t, b]: the frame's labels, or null where step t of slot b has no label frame.</summary>
    public ObjectLabel[]?[,] Labels { get; }

    /// <summary>[t, b]: the label frame's time (µs) where <see cref="Labels"/> is set.</summary>
    public long[,] LabelTimes { get; }

    /// <summary>[b]: the slot starts a new sequence, so its recurrent state is reset (docs/DATA.md §3.7).</summary>
    public bool[] IsFirstSample { get; }

    /// <summary>[t, b]: step t of slot b lies past the end of its data (zero frame, no label).</summary>
    public bool[,] IsPadded { get; }

    /// <summary>[b]: index of the sequence in slot b, or −1 for a fully padded filler slot.</summary>
    public int[] SlotSequence { get; }

    public int SequenceLength => Labels.GetLength(0);

    public int BatchSize => Labels.GetLength(1);

    public void Dispose() => Counts.Dispose();
}
