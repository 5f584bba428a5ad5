namespace EventSsm.Synthetic;

/// <summary>
/// Procedural sprites for the two Gen1 classes. Shapes are rasterised with 4×4 supersampling so edges are
/// anti-aliased (sub-pixel motion then changes intensity smoothly), and each sprite touches all four sides of its
/// box, so the label is tight.
/// </summary>
internal static class ObjectTextures
{
    private const int Supersample = 4;

    /// <summary>A car seen from the side: body, a cabin with windows on top, two wheels at the bottom.</summary>
    public static (float[] Value, float[] Alpha) Car(int w, int h, SynthRandom rng)
    {
        float body = PickShade(rng);
        float window = body > 0.5f ? (float)rng.Uniform(0.1, 0.3) : (float)rng.Uniform(0.6, 0.85);
        const float tyre = 0.04f;
        const float hub = 0.55f;
        double cabinL = rng.Uniform(0.15, 0.3) * w;
        double cabinR = w - rng.Uniform(0.15, 0.3) * w;
        double bodyTop = rng.Uniform(0.3, 0.4) * h;
        double wheelR = 0.16 * h;
        double wheelY = h - wheelR;
        double wheel1 = Math.Max(wheelR + 1, 0.2 * w);
        double wheel2 = w - wheel1;
        double split = (cabinL + cabinR) / 2;
        float[] shading = SmoothNoise(w, h, 6, rng);
        return Rasterise(w, h, (u, v) =>
        {
            double d1 = Hypot(u - wheel1, v - wheelY);
            double d2 = Hypot(u - wheel2, v - wheelY);
            if (d1 <= wheelR || d2 <= wheelR)
            {
                return Math.Min(d1, d2) <= 0.45 * wheelR ? hub : tyre;
            }
            if (v >= bodyTop && v <= h - 0.5 * wheelR)
            {
                bool stripe = Math.Abs(v - (bodyTop + 0.35 * (h - bodyTop))) < 0.06 * h;
                return stripe ? body * 0.7f : body;
            }
            // The cabin narrows towards the top (a trapezoid); windows leave a frame and a pillar.
            double inset = (bodyTop - v) / bodyTop * 0.12 * w;
            if (v < bodyTop && u >= cabinL + inset && u <= cabinR - inset)
            {
                bool frame = v < 0.08 * h || v > bodyTop - 0.08 * h || u < cabinL + inset + 2 || u > cabinR - inset - 2
                    || Math.Abs(u - split) < 1.5;
                return frame ? body : window;
            }
            return -1f;
        }, shading);
    }

    /// <summary>A standing pedestrian: head, torso with arms, two legs.</summary>
    public static (float[] Value, float[] Alpha) Pedestrian(int w, int h, SynthRandom rng)
    {
        float shirt = PickShade(rng);
        float trousers = PickShade(rng);
        float skin = (float)rng.Uniform(0.45, 0.75);
        double headR = Math.Min(0.1 * h, 0.35 * w);
        double headY = headR;
        double torsoTop = 2 * headR;
        double torsoBottom = 0.58 * h;
        double legGap = 0.08 * w;
        float[] shading = SmoothNoise(w, h, 4, rng);
        return Rasterise(w, h, (u, v) =>
        {
            if (Hypot(u - w / 2.0, v - headY) <= headR)
            {
                return skin;
            }
            if (v >= torsoTop && v <= torsoBottom)
            {
                bool arm = u < 0.2 * w || u > 0.8 * w;
                if (arm && v > torsoBottom - 0.06 * h)
                {
                    return skin;
                }
                return arm ? shirt * 0.85f : shirt;
            }
            if (v > torsoBottom)
            {
                bool left = u >= 0.12 * w && u <= w / 2.0 - legGap;
                bool right = u >= w / 2.0 + legGap && u <= 0.88 * w;
                return left || right ? trousers : -1f;
            }
            return -1f;
        }, shading);
    }

    /// <summary>Dark or bright, so objects stand out from the mid-grey background either way.</summary>
    private static float PickShade(SynthRandom rng) =>
        rng.Chance(0.5) ? (float)rng.Uniform(0.06, 0.28) : (float)rng.Uniform(0.72, 0.95);

    /// <summary>
    /// Samples <paramref name="shape"/> (intensity at a point in box coordinates, negative = empty) 4×4 times per
    /// texel into a premultiplied texture with a transparent one-texel border.
    /// </summary>
    private static (float[] Value, float[] Alpha) Rasterise(int w, int h, Func<double, double, float> shape, float[] shading)
    {
        int pw = w + 2;
        var value = new float[pw * (h + 2)];
        var alpha = new float[pw * (h + 2)];
        const float weight = 1f / (Supersample * Supersample);
        for (int j = 0; j < h; j++)
        {
            for (int i = 0; i < w; i++)
            {
                float a = 0;
                float v = 0;
                for (int sj = 0; sj < Supersample; sj++)
                {
                    for (int si = 0; si < Supersample; si++)
                    {
                        float s = shape(i + (si + 0.5) / Supersample, j + (sj + 0.5) / Supersample);
                        if (s >= 0)
                        {
                            a += weight;
                            v += weight * s;
                        }
                    }
                }
                float shade = 1f + 0.15f * shading[j * w + i];
                int k = (j + 1) * pw + i + 1;
                value[k] = Math.Clamp(v * shade, 0f, a);
                alpha[k] = a;
            }
        }
        return (value, alpha);
    }

    /// <summary>Value noise in [−1, 1] with features about <paramref name="cell"/> pixels wide.</summary>
    internal static float[] SmoothNoise(int w, int h, int cell, SynthRandom rng)
    {
        int gw = w / cell + 2;
        int gh = h / cell + 2;
        var grid = new float[gw * gh];
        for (int i = 0; i < grid.Length; i++)
        {
            grid[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        var result = new float[w * h];
        for (int y = 0; y < h; y++)
        {
            float gy = (float)y / cell;
            int y0 = (int)gy;
            float fy = Smooth(gy - y0);
            for (int x = 0; x < w; x++)
            {
                float gx = (float)x / cell;
                int x0 = (int)gx;
                float fx = Smooth(gx - x0);
                float top = grid[y0 * gw + x0] + fx * (grid[y0 * gw + x0 + 1] - grid[y0 * gw + x0]);
                float bottom = grid[(y0 + 1) * gw + x0] + fx * (grid[(y0 + 1) * gw + x0 + 1] - grid[(y0 + 1) * gw + x0]);
                result[y * w + x] = top + fy * (bottom - top);
            }
        }
        return result;
    }

    private static float Smooth(float t) => t * t * (3 - 2 * t);

    private static double Hypot(double a, double b) => Math.Sqrt(a * a + b * b);
}
