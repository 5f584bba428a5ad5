namespace EventSsm.Rendering;

/// <summary>One named line of a <see cref="LinePlot"/>: points in data coordinates, drawn in the given order.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);
