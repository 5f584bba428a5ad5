using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Numpy;

namespace EventSsm.Representations;

/// <summary>The representations <see cref="RecordingRepresentation"/> builds.</summary>
public enum RepresentationKind
{
    /// <summary>RVT's stacked histogram (uint8, bit-exact with the original).</summary>
    StackedHistogram,

    /// <summary>Voxel grid (float32).</summary>
    VoxelGrid,

    /// <summary>Exponential time surface (float32).</summary>
    TimeSurface,
}

/// <summary>What <see cref="RecordingRepresentation.WriteNpy"/> builds.</summary>
public sealed record RecordingRepresentationOptions
{
    /// <summary>Which representation to build.</summary>
    public RepresentationKind Kind { get; init; } = RepresentationKind.StackedHistogram;

    /// <summary>Window length dt; windows are [T − dt, T], both ends inclusive.</summary>
    public long WindowUs { get; init; } = 50_000;

    /// <summary>The window ends T; null: every <see cref="StepUs"/> covering the recording (<see cref="EventWindows.CoveringEnds"/>).</summary>
    public IReadOnlyList<long>? EndsUs { get; init; }

    /// <summary>Spacing of the window ends when <see cref="EndsUs"/> is null.</summary>
    public long StepUs { get; init; } = 50_000;

    /// <summary>Time bins: per polarity for the stacked histogram (2·bins channels), channels of the voxel grid.</summary>
    public int Bins { get; init; } = 10;

    /// <summary>Decay constant of the time surface.</summary>
    public double TauUs { get; init; } = 25_000;

    /// <summary>The gen4 nearest-exact ½ downsample (keeps odd rows and columns).</summary>
    public bool Downsample2 { get; init; }
}

/// <summary>What <see cref="RecordingRepresentation.WriteNpy"/> wrote: an (N, C, H, W) array.</summary>
public sealed record RecordingRepresentationResult(string Path, int Windows, int Channels, int Height, int Width, NpyDType ElementType);

/// <summary>The <c>represent</c> command: the windows of one recording → one (N, C, H, W) .npy, written atomically.</summary>
public static class RecordingRepresentation
{
    /// <param name="recording">Any file <see cref="EventRecording"/> opens.</param>
    /// <param name="progress">Gets the windows built (task <c>represent</c>).</param>
    /// <param name="output">The .npy file to write.</param>
    /// <param name="options">Representation, windows and downsampling.</param>
    /// <param name="cancellationToken">Stops between windows; nothing is written then.</param>
    public static RecordingRepresentationResult WriteNpy(string recording, string output, RecordingRepresentationOptions options,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using IEventReader reader = EventRecording.Open(recording);
        IReadOnlyList<long> ends = options.EndsUs ?? EventWindows.CoveringEnds(reader, options.StepUs);
        IEventRepresentation representation = options.Kind switch
        {
            RepresentationKind.VoxelGrid => new VoxelGrid(reader.Height, reader.Width, options.Bins),
            RepresentationKind.TimeSurface => new TimeSurface(reader.Height, reader.Width, options.TauUs),
            _ => new StackedHistogram(reader.Height, reader.Width, options.Bins),
        };
        var runner = new WindowRepresentations(representation, options.Downsample2);
        runner.WriteNpy(output, reader, ends, options.WindowUs, progress, cancellationToken);
        return new RecordingRepresentationResult(output, ends.Count, runner.Channels, runner.Height, runner.Width, runner.ElementType);
    }
}
