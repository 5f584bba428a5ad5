using EventSsm.IO;
using EventSsm.Representations;

namespace EventSsm.Datasets;

/// <summary>A sequence's <c>event_representations*.h5</c> (docs/DATA.md §2.8) as an
/// <see cref="IRepresentationReader"/>.</summary>
public sealed class H5RepresentationReader : IRepresentationReader
{
    private readonly RepresentationH5Reader _reader;

    private H5RepresentationReader(RepresentationH5Reader reader)
    {
        _reader = reader;
    }

    public int Count => _reader.Count;

    public int Channels => _reader.Channels;

    public int Height => _reader.Height;

    public int Width => _reader.Width;

    public static H5RepresentationReader Open(string path) => new(RepresentationH5Reader.Open(path));

    /// <summary>Opens the sequence's representation file, checking it has one frame per representation timestamp.</summary>
    public static H5RepresentationReader Open(PreprocessedSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        RepresentationH5Reader reader = RepresentationH5Reader.Open(sequence.RepresentationFile);
        if (reader.Count != sequence.ReprCount)
        {
            reader.Dispose();
            throw new DataFormatException(sequence.RepresentationFile,
                $"has {reader.Count} frames but timestamps_us.npy lists {sequence.ReprCount}");
        }
        return new H5RepresentationReader(reader);
    }

    public void Read(int index, Span<byte> destination) => _reader.ReadFrame(index, destination);

    public void Dispose() => _reader.Dispose();
}
