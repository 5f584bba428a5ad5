namespace EventSsm.Datasets;

/// <summary>Random access to the (C, H, W) uint8 representation frames of one sequence.</summary>
public interface IRepresentationReader : IDisposable
{
    int Count { get; }

    int Channels { get; }

    int Height { get; }

    int Width { get; }

    /// <summary>Copies frame <paramref name="index"/> (C·H·W bytes, C order) into <paramref name="destination"/>.</summary>
    void Read(int index, Span<byte> destination);
}
