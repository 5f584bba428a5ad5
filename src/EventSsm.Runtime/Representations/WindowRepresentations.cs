using System.Runtime.InteropServices;
using EventSsm.Events;
using EventSsm.IO.Numpy;
using EventSsm.IO;

namespace EventSsm.Representations;

/// <summary>
/// Builds one representation per closed window [T−dt, T] (docs/DATA.md §2.4) from a streaming reader, in
/// parallel over windows. Windows are processed in batches of a few per worker, so memory stays bounded (one event
/// buffer and one output per batch slot) however long the recording is, and outputs are delivered in window order.
/// </summary>
public sealed class WindowRepresentations
{
    private readonly IEventRepresentation _representation;

    /// <param name="representation">Built at the sensor's full resolution.</param>
    /// <param name="downsample2">Apply the gen4 nearest-exact ½ downsample (docs/DATA.md §2.6) to each output.</param>
    /// <param name="maxParallelism">Worker count; ≤ 0 means one per processor.</param>
    public WindowRepresentations(IEventRepresentation representation, bool downsample2 = false, int maxParallelism = 0)
    {
        ArgumentNullException.ThrowIfNull(representation);
        _representation = representation;
        Downsample2 = downsample2;
        Parallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount;
        Channels = representation.Channels;
        Height = downsample2 ? NearestExactDownsample.OutputSize(representation.Height) : representation.Height;
        Width = downsample2 ? NearestExactDownsample.OutputSize(representation.Width) : representation.Width;
        if (Height == 0 || Width == 0)
        {
            throw new ArgumentException($"a {representation.Height}×{representation.Width} sensor cannot be downsampled by 2");
        }
    }

    /// <summary>Whether each output is the gen4 nearest-exact ½ downsample.</summary>
    public bool Downsample2 { get; }

    /// <summary>Workers building windows at once.</summary>
    public int Parallelism { get; }

    /// <summary>Channels of each output.</summary>
    public int Channels { get; }

    /// <summary>Rows of each output (halved when downsampled).</summary>
    public int Height { get; }

    /// <summary>Columns of each output (halved when downsampled).</summary>
    public int Width { get; }

    /// <summary>Element type of each output.</summary>
    public NpyDType ElementType => _representation.ElementType;

    /// <summary>Bytes of one output (Channels·Height·Width elements).</summary>
    public int OutputBytes => checked(Channels * Height * Width * ElementType.ItemSize);

    /// <summary>
    /// Builds the window ending at each of <paramref name="endsUs"/> and calls <paramref name="sink"/> with its index
    /// and bytes, in order. The span is only valid during the call.
    /// </summary>
    public void Run(IEventReader reader, IReadOnlyList<long> endsUs, long dtUs, Action<int, ReadOnlySpan<byte>> sink,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(endsUs);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfNegative(dtUs);
        if (reader.Width != _representation.Width || reader.Height != _representation.Height)
        {
            throw new ArgumentException($"the representation is {_representation.Width}×{_representation.Height} but {reader.Name ?? "the recording"} is {reader.Width}×{reader.Height}");
        }
        int batch = Math.Max(1, Math.Min(endsUs.Count, 2 * Parallelism));
        var outputs = new byte[batch][];
        var workers = new Worker[Math.Min(batch, Parallelism)];
        for (int i = 0; i < batch; i++)
        {
            outputs[i] = new byte[OutputBytes];
        }
        int fullBytes = checked(_representation.Channels * _representation.Height * _representation.Width * ElementType.ItemSize);
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = new Worker(new EventBuffer(reader.Width, reader.Height), Downsample2 ? new byte[fullBytes] : null);
        }
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers.Length, CancellationToken = cancellationToken };
        for (int first = 0; first < endsUs.Count; first += batch)
        {
            int k = Math.Min(batch, endsUs.Count - first);
            int next = -1;
            int begin = first;
            Parallel.For(0, Math.Min(k, workers.Length), options, w =>
            {
                Worker worker = workers[w];
                int j;
                while ((j = Interlocked.Increment(ref next)) < k)
                {
                    EventWindow window = EventWindows.Read(reader, endsUs[begin + j], dtUs, worker.Events);
                    Build(window, worker.Full, outputs[j]);
                }
            });
            for (int j = 0; j < k; j++)
            {
                sink(first + j, outputs[j]);
            }
            progress?.Report(new ProgressReport("represent", first + k, endsUs.Count, "windows"));
        }
    }

    /// <summary>
    /// Writes all windows as one (N, C, H, W) .npy, atomically, streaming the data so that only one batch of outputs
    /// is in memory.
    /// </summary>
    public void WriteNpy(string path, IEventReader reader, IReadOnlyList<long> endsUs, long dtUs,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellationToken = default)
    {
        AtomicFile.Write(path, s =>
        {
            NpyFile.WriteHeader(s, ElementType, [endsUs.Count, Channels, Height, Width]);
            Run(reader, endsUs, dtUs, (_, bytes) => s.Write(bytes), progress, cancellationToken);
        });
    }

    private void Build(EventWindow window, byte[]? full, Span<byte> output)
    {
        if (full is null)
        {
            _representation.Build(window.Events, window.EndUs, output);
            return;
        }
        _representation.Build(window.Events, window.EndUs, full);
        int c = _representation.Channels;
        int h = _representation.Height;
        int w = _representation.Width;
        // Downsampling only copies elements, so any type of the right size moves the bits unchanged.
        switch (ElementType.ItemSize)
        {
            case 1:
                NearestExactDownsample.Half<byte>(full, c, h, w, output);
                break;
            case 4:
                NearestExactDownsample.Half(MemoryMarshal.Cast<byte, int>(full.AsSpan()), c, h, w, MemoryMarshal.Cast<byte, int>(output));
                break;
            default:
                throw new NotSupportedException($"downsampling {ElementType} outputs is not supported");
        }
    }

    private sealed record Worker(EventBuffer Events, byte[]? Full);
}
