using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Synthetic;

/// <summary>
/// Simulates a labelled event recording: textured cars (class 0: wide, fast, horizontal) and pedestrians (class 1:
/// tall, slow, bobbing) cross a static background, occluding each other by depth, seen by an <see cref="EventCamera"/>.
/// Only the rectangles swept by moving objects are re-rendered at each internal step (the background is static),
/// which keeps a 10 s Gen1-sized sequence around a second. Everything is drawn from one seeded generator, so a seed
/// fixes the output exactly.
/// </summary>
public static class SceneSimulator
{
    /// <summary>Class id of cars (Gen1's).</summary>
    public const uint CarClass = 0;
    /// <summary>Class id of pedestrians (Gen1's).</summary>
    public const uint PedestrianClass = 1;

    /// <summary>Simulates one labelled sequence: its events and its boxes.</summary>
    public static SyntheticSequence Generate(SceneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var scene = new Scene(options);
        return scene.Run();
    }

    private sealed class Scene
    {
        private readonly SceneOptions _o;
        private readonly int _w;
        private readonly int _h;
        private readonly float[] _background;
        private readonly List<SceneObject> _objects;
        private readonly EventCamera _camera;
        private readonly float[] _row;

        public Scene(SceneOptions options)
        {
            _o = options;
            _w = options.Width;
            _h = options.Height;
            var rng = SynthRandom.Derive(options.Seed, 0);
            _background = MakeBackground(rng);
            _objects = MakeObjects(rng);
            _camera = new EventCamera(_w, _h, options.Camera, options.Seed);
            _row = new float[_w];
        }

        public SyntheticSequence Run()
        {
            var full = new float[_w * _h];
            RenderFull(0, full);
            _camera.Reset(full, 0);
            long step = _o.StepUs;
            var prev = new Dictionary<SceneObject, Placement>();
            var cur = new Dictionary<SceneObject, Placement>();
            var drawn = new List<(SceneObject Obj, Placement At)>();
            foreach (SceneObject obj in _objects.Where(ob => ob.IsAlive(0)))
            {
                prev[obj] = Place(obj, 0);
            }
            for (long t = step; t - step < _o.DurationUs; t += step)
            {
                long tEnd = Math.Min(t, _o.DurationUs);
                cur.Clear();
                drawn.Clear();
                foreach (SceneObject obj in _objects)
                {
                    if (obj.IsAlive(tEnd))
                    {
                        Placement at = Place(obj, tEnd);
                        cur[obj] = at;
                        drawn.Add((obj, at));
                    }
                }
                _camera.BeginStep(tEnd);
                float gain = Gain(tEnd);
                if (_o.FlickerAmplitude > 0)
                {
                    UpdateRect(new Rect(0, 0, _w, _h), drawn, gain);
                }
                else
                {
                    foreach ((SceneObject obj, Placement at) in drawn)
                    {
                        Rect r = prev.TryGetValue(obj, out Placement before) ? at.Bounds.Union(before.Bounds) : at.Bounds;
                        UpdateRect(r, drawn, gain);
                    }
                    foreach ((SceneObject obj, Placement before) in prev)
                    {
                        if (!cur.ContainsKey(obj))
                        {
                            UpdateRect(before.Bounds, drawn, gain);
                        }
                    }
                }
                _camera.EndStep();
                (prev, cur) = (cur, prev);
            }
            EventArray events = _camera.Finish();
            return new SyntheticSequence(events, Labels());
        }

        private float Gain(long t) =>
            _o.FlickerAmplitude > 0 ? 1f + _o.FlickerAmplitude * MathF.Sin(2 * MathF.PI * _o.FlickerHz * (float)(t * 1e-6)) : 1f;

        private void RenderFull(long t, float[] image)
        {
            var drawn = _objects.Where(ob => ob.IsAlive(t)).Select(ob => (ob, Place(ob, t))).ToList();
            float gain = Gain(t);
            for (int y = 0; y < _h; y++)
            {
                RenderSpan(y, 0, _w, drawn, gain);
                _row.AsSpan(0, _w).CopyTo(image.AsSpan(y * _w));
            }
        }

        private void UpdateRect(Rect r, List<(SceneObject Obj, Placement At)> drawn, float gain)
        {
            Rect c = r.Clip(_w, _h);
            if (c.IsEmpty)
            {
                return;
            }
            int n = c.X1 - c.X0;
            for (int y = c.Y0; y < c.Y1; y++)
            {
                RenderSpan(y, c.X0, c.X1, drawn, gain);
                int rowStart = y * _w + c.X0;
                for (int i = 0; i < n; i++)
                {
                    _camera.Update(rowStart + i, _row[i]);
                }
            }
        }

        /// <summary>Composites pixels [x0, x1) of row y into _row[0..]: background, then objects far to near.</summary>
        private void RenderSpan(int y, int x0, int x1, List<(SceneObject Obj, Placement At)> drawn, float gain)
        {
            int n = x1 - x0;
            Span<float> row = _row.AsSpan(0, n);
            _background.AsSpan(y * _w + x0, n).CopyTo(row);
            foreach ((SceneObject obj, Placement at) in drawn)
            {
                // Padded texel row j and j+1 are blended with weight ay; likewise columns (see Placement).
                int j = y + at.Fy;
                if (j < 0 || j > obj.PaddedHeight - 2)
                {
                    continue;
                }
                int xs = Math.Max(x0, -at.Fx);
                int xe = Math.Min(x1, obj.PaddedWidth - 1 - at.Fx);
                if (xs >= xe)
                {
                    continue;
                }
                float[] val = obj.Value;
                float[] alp = obj.Alpha;
                int pw = obj.PaddedWidth;
                float w00 = (1 - at.Ax) * (1 - at.Ay);
                float w10 = at.Ax * (1 - at.Ay);
                float w01 = (1 - at.Ax) * at.Ay;
                float w11 = at.Ax * at.Ay;
                int r0 = j * pw;
                int r1 = r0 + pw;
                for (int x = xs; x < xe; x++)
                {
                    int i = x + at.Fx;
                    float a = w00 * alp[r0 + i] + w10 * alp[r0 + i + 1] + w01 * alp[r1 + i] + w11 * alp[r1 + i + 1];
                    if (a <= 0)
                    {
                        continue;
                    }
                    float v = w00 * val[r0 + i] + w10 * val[r0 + i + 1] + w01 * val[r1 + i] + w11 * val[r1 + i + 1];
                    ref float px = ref row[x - x0];
                    px = px * (1 - a) + v;
                }
            }
            if (gain != 1f)
            {
                for (int i = 0; i < n; i++)
                {
                    row[i] *= gain;
                }
            }
        }

        private Placement Place(SceneObject obj, long t)
        {
            (double ox, double oy) = obj.Position(t);
            // Pixel x samples padded texel column x + (1 − ox): integer part Fx, fraction Ax.
            double sx = 1 - ox;
            double sy = 1 - oy;
            int fx = (int)Math.Floor(sx);
            int fy = (int)Math.Floor(sy);
            var bounds = new Rect(-fx, -fy, obj.Width - fx + 1, obj.Height - fy + 1);
            return new Placement(ox, oy, fx, fy, (float)(sx - fx), (float)(sy - fy), bounds);
        }

        private float[] MakeBackground(SynthRandom rng)
        {
            var bg = new float[_w * _h];
            if (_o.Background == BackgroundKind.Plain)
            {
                Array.Fill(bg, _o.BackgroundLevel);
                return bg;
            }
            float[] coarse = ObjectTextures.SmoothNoise(_w, _h, 48, rng);
            float[] mid = ObjectTextures.SmoothNoise(_w, _h, 16, rng);
            float[] fine = ObjectTextures.SmoothNoise(_w, _h, 6, rng);
            for (int i = 0; i < bg.Length; i++)
            {
                bg[i] = 0.5f + 0.16f * coarse[i] + 0.06f * mid[i] + 0.03f * fine[i];
            }
            return bg;
        }

        private List<SceneObject> MakeObjects(SynthRandom rng)
        {
            var objects = new List<SceneObject>();
            uint track = 0;
            for (int i = 0; i < _o.InitialCars; i++)
            {
                objects.Add(MakeObject(CarClass, track++, 0, inView: true, rng));
            }
            for (int i = 0; i < _o.InitialPedestrians; i++)
            {
                objects.Add(MakeObject(PedestrianClass, track++, 0, inView: true, rng));
            }
            var spawns = new List<(long T, uint Class)>();
            AddSpawns(spawns, CarClass, _o.CarsPerSecond, rng);
            AddSpawns(spawns, PedestrianClass, _o.PedestriansPerSecond, rng);
            spawns.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Class.CompareTo(b.Class));
            foreach ((long t, uint cls) in spawns)
            {
                SceneObject candidate = MakeObject(cls, track, t, inView: false, rng);
                if (objects.Count(ob => ob.IsAlive(t)) < _o.MaxObjects)
                {
                    objects.Add(candidate);
                    track++;
                }
            }
            // Far to near; track id breaks ties so the order is fixed.
            objects.Sort((a, b) => a.Depth != b.Depth ? a.Depth.CompareTo(b.Depth) : a.TrackId.CompareTo(b.TrackId));
            return objects;
        }

        private void AddSpawns(List<(long T, uint Class)> spawns, uint cls, double rate, SynthRandom rng)
        {
            if (rate <= 0)
            {
                return;
            }
            for (double s = rng.NextExponential(rate); s * 1e6 < _o.DurationUs; s += rng.NextExponential(rate))
            {
                spawns.Add(((long)(s * 1e6), cls));
            }
        }

        private SceneObject MakeObject(uint cls, uint track, long spawnUs, bool inView, SynthRandom rng)
        {
            bool car = cls == CarClass;
            int w = car ? (int)rng.Uniform(60, 111) : (int)rng.Uniform(12, 26);
            int h = car ? (int)rng.Uniform(30, 51) : (int)rng.Uniform(35, 71);
            w = Math.Min(w, _w);
            h = Math.Min(h, _h);
            double speed = car ? rng.Uniform(80, 250) : rng.Uniform(15, 50);
            bool rightward = rng.Chance(0.5);
            double bob = car ? 0 : rng.Uniform(0.8, 2.5);
            double bobHz = car ? 0 : rng.Uniform(1.5, 2.5);
            double phase = rng.Uniform(0, 2 * Math.PI);
            double y0 = rng.Uniform(bob + 1, Math.Max(bob + 1, _h - h - bob - 1));
            double x0 = inView
                ? rng.Uniform(-0.3 * w, _w - 0.7 * w)
                : rightward ? -w - 1 : _w + 1;
            double vx = rightward ? speed : -speed;
            // Leaves for good once its box (plus the bilinear fringe) is past the far edge.
            double exitX = rightward ? _w + 2 : -w - 2;
            long endUs = spawnUs + (long)Math.Ceiling((exitX - x0) / vx * 1e6);
            (float[] value, float[] alpha) = car ? ObjectTextures.Car(w, h, rng) : ObjectTextures.Pedestrian(w, h, rng);
            return new SceneObject
            {
                ClassId = cls,
                TrackId = track,
                Width = w,
                Height = h,
                Value = value,
                Alpha = alpha,
                X0 = x0,
                Y0 = y0,
                Vx = vx,
                BobAmplitude = bob,
                BobHz = bobHz,
                BobPhase = phase,
                SpawnUs = spawnUs,
                EndUs = endUs,
                // Lower in the image = closer to the camera (a ground plane), so it is drawn on top.
                Depth = y0 + h,
            };
        }

        private BoundingBox[] Labels()
        {
            var labels = new List<BoundingBox>();
            long period = _o.LabelPeriodUs;
            for (long t = period; t <= _o.DurationUs; t += period)
            {
                var alive = _objects.Where(ob => ob.IsAlive(t)).ToList();
                var frame = new List<BoundingBox>();
                for (int k = 0; k < alive.Count; k++)
                {
                    SceneObject obj = alive[k];
                    (double ox, double oy) = obj.Position(t);
                    if (VisibleFraction(alive, k, t, ox, oy) < _o.MinVisibleFraction)
                    {
                        continue;
                    }
                    double x0 = Math.Clamp(ox, 0, _w);
                    double y0 = Math.Clamp(oy, 0, _h);
                    double x1 = Math.Clamp(ox + obj.Width, 0, _w);
                    double y1 = Math.Clamp(oy + obj.Height, 0, _h);
                    frame.Add(new BoundingBox(t, (float)x0, (float)y0, (float)(x1 - x0), (float)(y1 - y0), obj.ClassId, 1f, obj.TrackId));
                }
                frame.Sort((a, b) => a.TrackId.CompareTo(b.TrackId));
                labels.AddRange(frame);
            }
            return labels.ToArray();
        }

        /// <summary>Fraction of the object's box (sampled at pixel centres) inside the view and outside nearer objects' boxes.</summary>
        private double VisibleFraction(List<SceneObject> alive, int k, long t, double ox, double oy)
        {
            SceneObject obj = alive[k];
            var nearer = new List<(double X0, double Y0, double X1, double Y1)>();
            for (int m = k + 1; m < alive.Count; m++)
            {
                (double nx, double ny) = alive[m].Position(t);
                nearer.Add((nx, ny, nx + alive[m].Width, ny + alive[m].Height));
            }
            int total = 0;
            int visible = 0;
            for (int j = 0; j < obj.Height; j++)
            {
                double py = oy + j + 0.5;
                for (int i = 0; i < obj.Width; i++)
                {
                    double px = ox + i + 0.5;
                    total++;
                    if (px < 0 || px >= _w || py < 0 || py >= _h)
                    {
                        continue;
                    }
                    bool hidden = false;
                    foreach ((double x0, double y0, double x1, double y1) in nearer)
                    {
                        if (px >= x0 && px < x1 && py >= y0 && py < y1)
                        {
                            hidden = true;
                            break;
                        }
                    }
                    if (!hidden)
                    {
                        visible++;
                    }
                }
            }
            return total == 0 ? 0 : (double)visible / total;
        }
    }

    /// <summary>A half-open pixel rectangle [X0, X1) × [Y0, Y1).</summary>
    private readonly record struct Rect(int X0, int Y0, int X1, int Y1)
    {
        public bool IsEmpty => X0 >= X1 || Y0 >= Y1;

        public Rect Union(Rect o) => new(Math.Min(X0, o.X0), Math.Min(Y0, o.Y0), Math.Max(X1, o.X1), Math.Max(Y1, o.Y1));

        public Rect Clip(int w, int h) => new(Math.Max(X0, 0), Math.Max(Y0, 0), Math.Min(X1, w), Math.Min(Y1, h));
    }

    /// <summary>Where an object is at one instant: its top-left corner and the bilinear sampling offsets.</summary>
    private readonly record struct Placement(double X, double Y, int Fx, int Fy, float Ax, float Ay, Rect Bounds);
}
