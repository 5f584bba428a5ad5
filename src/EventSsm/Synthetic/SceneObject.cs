namespace EventSsm.Synthetic;

/// <summary>
/// A moving textured sprite: a premultiplied (value·alpha, alpha) texture with a one-texel transparent border, and a
/// trajectory x(t) = x0 + vx·(t − spawn), y(t) = y0 + bob·sin(2π f (t − spawn) + φ).
/// </summary>
internal sealed class SceneObject
{
    public required uint ClassId { get; init; }

    public required uint TrackId { get; init; }

    /// <summary>Texture width and height without the border (= the labelled box size).</summary>
    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>(Width+2)×(Height+2) premultiplied value.</summary>
    public required float[] Value { get; init; }

    /// <summary>(Width+2)×(Height+2) coverage.</summary>
    public required float[] Alpha { get; init; }

    public required double X0 { get; init; }

    public required double Y0 { get; init; }

    /// <summary>Pixels per second.</summary>
    public required double Vx { get; init; }

    public double BobAmplitude { get; init; }

    public double BobHz { get; init; }

    public double BobPhase { get; init; }

    public required long SpawnUs { get; init; }

    /// <summary>After this time the object is entirely outside the view for good.</summary>
    public required long EndUs { get; init; }

    /// <summary>Drawing order: larger is nearer (drawn later, occludes).</summary>
    public required double Depth { get; init; }

    public int PaddedWidth => Width + 2;

    public int PaddedHeight => Height + 2;

    public bool IsAlive(long t) => t >= SpawnUs && t <= EndUs;

    public (double X, double Y) Position(long t)
    {
        double s = (t - SpawnUs) * 1e-6;
        double y = Y0 + BobAmplitude * Math.Sin(2 * Math.PI * BobHz * s + BobPhase);
        return (X0 + Vx * s, y);
    }
}
