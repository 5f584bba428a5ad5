namespace EventSsm.Events;

/// <summary>Sensor width × height in pixels.</summary>
public readonly record struct SensorSize(int Width, int Height)
{
    /// <summary>Prophesee Gen1 (ATIS), 304×240: RVT's default when a raw file has no events/width.</summary>
    public static SensorSize Gen1 => new(304, 240);

    /// <summary>Prophesee Gen4 (1 Mpx), 1280×720.</summary>
    public static SensorSize Gen4 => new(1280, 720);
}
