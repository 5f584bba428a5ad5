using EventSsm.Events;
using EventSsm.IO;
using EventSsm.Labels;

namespace EventSsm.Synthetic;

/// <summary>One written sequence of a synthetic dataset.</summary>
public sealed record SyntheticSequenceInfo(string Split, string Name, string EventsPath, string LabelsPath, int EventCount, int LabelCount);

/// <summary>
/// Writes synthetic sequences in the Gen1 raw layout: OUT/{train,val,test}/&lt;seq&gt;_td.dat and &lt;seq&gt;_bbox.npy
/// (Prophesee v2 boxes). Sequence i uses a seed derived from (seed, i), so any one can be regenerated alone.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>The split folders written.</summary>
    public static readonly string[] Splits = ["train", "val", "test"];

    /// <summary>Sequence counts per split: about 60/20/20 with at least one sequence in each.</summary>
    public static (int Train, int Val, int Test) SplitCounts(int sequences)
    {
        if (sequences < 3)
        {
            throw new ArgumentException($"need at least 3 sequences (one per split), got {sequences}");
        }
        int val = Math.Max(1, (int)Math.Round(0.2 * sequences, MidpointRounding.AwayFromZero));
        int test = Math.Max(1, (int)Math.Round(0.2 * sequences, MidpointRounding.AwayFromZero));
        return (sequences - val - test, val, test);
    }

    /// <summary>Folder name of sequence <paramref name="index"/>.</summary>
    public static string SequenceName(int index) => $"synth_{index:D4}";

    /// <summary>
    /// The scene seed of sequence <paramref name="index"/> of a dataset generated with <paramref name="seed"/>.
    /// </summary>
    public static ulong SequenceSeed(ulong seed, int index) => SynthRandom.Derive(seed, 1000 + (ulong)index).NextUInt64();

    /// <param name="written">Called after each sequence is written, with its index.</param>
    /// <param name="progress">Gets the sequences written (task <c>synth</c>).</param>
    /// <param name="outDir">The dataset root; train/, val/ and test/ are created in it.</param>
    /// <param name="sequences">Sequences in all (at least 3).</param>
    /// <param name="template">Scene options shared by every sequence; each gets its own seed.</param>
    /// <param name="cancellationToken">Stops between sequences; the finished ones stay.</param>
    public static IReadOnlyList<SyntheticSequenceInfo> Write(string outDir, int sequences, SceneOptions template,
        Action<SyntheticSequenceInfo, int>? written = null, IProgress<ProgressReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        template.Validate();
        (int train, int val, _) = SplitCounts(sequences);
        var infos = new List<SyntheticSequenceInfo>();
        progress?.Report(new ProgressReport("synth", 0, sequences, "sequences"));
        for (int i = 0; i < sequences; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string split = i < train ? "train" : i < train + val ? "val" : "test";
            string name = SequenceName(i);
            SyntheticSequence seq = SceneSimulator.Generate(template with { Seed = SequenceSeed(template.Seed, i) });
            string dir = Path.Combine(outDir, split);
            Directory.CreateDirectory(dir);
            string events = Path.Combine(dir, name + "_td.dat");
            string labels = Path.Combine(dir, name + "_bbox.npy");
            DatFile.Write(events, seq.Events);
            BoundingBoxFile.Write(labels, seq.Labels);
            var info = new SyntheticSequenceInfo(split, name, events, labels, seq.Events.Count, seq.Labels.Length);
            infos.Add(info);
            written?.Invoke(info, i);
            progress?.Report(new ProgressReport("synth", i + 1, sequences, "sequences"));
        }
        return infos;
    }
}
