using System.Globalization;
using System.Text;
using TorchSharp;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Datasets;
using EventSsm.Evaluation;
using EventSsm.IO;
using EventSsm.Labels;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using EventSsm.Rendering;
using EventSsm.Training;

namespace EventSsm.Workflows.Frequency;

/// <summary>
/// Evaluates one checkpoint at several input rates (docs/FREQUENCY.md): for each rate f, true-rate representations
/// (window = step = 1000/f ms, or a fixed window sliding by the step), the step scale s = train_hz / f (or fixed), optionally the pass-band mask, then the
/// streaming validation of <see cref="Validator"/>. Writes <c>sweep.csv</c>, <c>sweep.md</c> and <c>sweep.png</c>.
/// The sequence length L (in steps) is the config's at every rate, so a chunk spans L/f seconds.
/// </summary>
public static class FrequencySweep
{
    /// <summary>File name of the results table.</summary>
    public const string CsvName = "sweep.csv";
    /// <summary>File name of the Markdown table.</summary>
    public const string MarkdownName = "sweep.md";
    /// <summary>File name of the plot.</summary>
    public const string PlotName = "sweep.png";

    /// <summary>The mask column of a model without S5 layers (its step-scale column is NaN).</summary>
    public const string NotApplicable = "n/a";

    private const string CsvHeader = "label,hz,step_ms,window_ms,step_scale,mask,AP,AP50,AP75,label_frames";

    /// <summary>The header before window_ms existed (window = step on every row).</summary>
    private const string CsvHeaderV1 = "label,hz,step_ms,step_scale,mask,AP,AP50,AP75,label_frames";

    /// <summary>Runs the sweep and returns every row now in sweep.csv (this run's and, with Append, earlier labels').</summary>
    /// <param name="config">The composed validation config (after <see cref="ConfigModifier.Apply"/>).</param>
    /// <param name="progress">Gets each rate's preprocessing and validation (see <see cref="Preprocessor"/>, <see cref="Validator"/>).</param>
    /// <param name="checkpoint">The weights evaluated at every rate.</param>
    /// <param name="options">Rates, windows, step scales, mask and output folder.</param>
    /// <param name="log">Gets one line per rate.</param>
    /// <param name="cancellation">Stops between rates; the rows so far stay in sweep.csv.</param>
    public static IReadOnlyList<FrequencySweepRow> Run(ConfigNode config, string checkpoint, FrequencySweepOptions options,
        Action<string>? log = null, IProgress<ProgressReport>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Hz.Count == 0)
        {
            throw new ArgumentException("no rates to sweep");
        }
        if (options.Label.Length == 0 || options.Label.IndexOfAny([',', '\n', '\r', '|']) >= 0)
        {
            throw new ArgumentException($"label '{options.Label}' must be non-empty without commas, bars or newlines");
        }
        if ((options.RawDirectory is null) == (options.PreprocessedDirectory is null))
        {
            throw new ArgumentException("give exactly one of a raw dataset folder and a preprocessed folder");
        }
        if (!File.Exists(checkpoint))
        {
            throw new FileNotFoundException($"{checkpoint}: checkpoint not found", checkpoint);
        }
        string split = config.GetBool("use_test_set") ? "test" : "val";
        DatasetDescription dataset = DatasetDescription.FromConfig(config);
        PreprocessOptions[] preprocessing = options.Hz.Select(hz =>
        {
            double step = StepMs(hz);
            var pre = new PreprocessOptions
            {
                Dataset = dataset,
                WindowMs = options.WindowMs ?? step,
                StepMs = step,
                TrueRate = true, // every rate, 20 Hz included, has windows exactly one step apart
                Splits = [split],
                Workers = options.PreprocessWorkers,
            };
            pre.Validate(); // a bad window fails here, before anything is written
            return pre;
        }).ToArray();
        Directory.CreateDirectory(options.OutDirectory);
        string csv = Path.Combine(options.OutDirectory, CsvName);
        List<FrequencySweepRow> kept = options.Append && File.Exists(csv)
            ? ReadCsv(csv).Where(r => r.Label != options.Label).ToList()
            : [];

        double trainHz = S5FrequencyConfig.TrainHz(config);
        bool s5 = DetectorOptions.ReadRecurrent(config) == RecurrentLayer.S5;
        var rows = new List<FrequencySweepRow>();
        for (int i = 0; i < preprocessing.Length; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            double hz = options.Hz[i];
            PreprocessOptions pre = preprocessing[i];
            string dataDir = options.PreprocessedDirectory ?? Preprocess(options.RawDirectory!, options.OutDirectory, hz, pre, log, progress, cancellation);

            ConfigNode cfg = config.Clone();
            cfg.Set("dataset.ev_repr_name", pre.RepresentationName, create: true);
            // Step scale and mask act on S5 layers only; an LSTM backbone has neither (NaN and "n/a" in the table).
            double scale = double.NaN;
            string maskName = NotApplicable;
            if (s5)
            {
                scale = options.AutoStepScale ? trainHz / hz : S5FrequencyConfig.StepScale(config);
                cfg.Set(S5FrequencyConfig.Prefix + "step_scale", scale, create: true);
                if (options.Mask is S5MaskMode mask)
                {
                    cfg.Set(S5FrequencyConfig.Prefix + "mask", MaskName(mask), create: true);
                }
                maskName = MaskName(S5FrequencyConfig.Mask(cfg));
            }
            log?.Invoke($"{hz:0.###} Hz: validating the {split} split (step {pre.StepMs} ms, window {pre.WindowMs} ms" + (s5 ? $", s = {scale:0.####}, mask {maskName})" : ")"));

            PreprocessedDataset data = PreprocessedDataset.Load(dataDir, split, dataset, pre.RepresentationName);
            DetectionMetrics m;
            using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
            {
                DetectorCheckpoint.Load(model, checkpoint);
                model.PrepareInference(options.Device, options.Precision);
                m = Validator.Validate(model, data, ValidationOptions.FromConfig(cfg, options.Device), progress, cancellation);
            }
            var row = new FrequencySweepRow(options.Label, hz, pre.StepMs, pre.WindowMs, scale, maskName, m.AP, m.AP50, m.AP75, m.Images);
            rows.Add(row);
            log?.Invoke($"{hz:0.###} Hz: AP {m.AP:0.0000}  AP50 {m.AP50:0.0000}  ({m.Images} label frames)");
        }

        List<FrequencySweepRow> all = [.. kept, .. rows];
        WriteCsv(csv, all);
        AtomicFile.WriteAllText(Path.Combine(options.OutDirectory, MarkdownName), Markdown(all, trainHz));
        PngFile.Write(Path.Combine(options.OutDirectory, PlotName), Plot(all));
        return all;
    }

    /// <summary>Rates as the command line gives them: comma-separated positive numbers (e.g. <c>20,40,80</c>).</summary>
    public static double[] ParseRates(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        double[] rates = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
                ? v
                : throw new ArgumentException($"--hz: '{s}' is not a positive rate"))
            .ToArray();
        return rates;
    }

    /// <summary>
    /// The <c>frequency-plot</c> command: reads several sweep.csv files and writes their series into one plot.
    /// Returns the number of series and points.
    /// </summary>
    public static (int Series, int Points) PlotFiles(IReadOnlyList<string> csvFiles, string png)
    {
        ArgumentNullException.ThrowIfNull(csvFiles);
        var rows = new List<FrequencySweepRow>();
        foreach (string path in csvFiles)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path}: sweep CSV not found", path);
            }
            rows.AddRange(ReadCsv(path));
        }
        PngFile.Write(png, Plot(rows));
        return (rows.Select(r => r.Label).Distinct().Count(), rows.Count);
    }

    /// <summary>The representation step 1000/hz in ms; it must be a whole number of µs (e.g. 12.5 ms at 80 Hz).</summary>
    public static double StepMs(double hz)
    {
        double stepUs = 1e6 / hz;
        double rounded = Math.Round(stepUs);
        if (!(hz > 0) || Math.Abs(stepUs - rounded) > 1e-6 || rounded < 1)
        {
            throw new ArgumentException($"{hz} Hz: the step 1e6/{hz} µs must be a whole number of µs (e.g. 20, 40, 80, 100, 200 Hz)");
        }
        return rounded / 1000;
    }

    /// <summary>The mask column's value: off, on (eval only) or always.</summary>
    public static string MaskName(S5MaskMode mode) => mode switch
    {
        S5MaskMode.Off => "off",
        S5MaskMode.Eval => "on",
        _ => "always",
    };

    /// <summary>Reads a sweep.csv written by <see cref="Run"/>.</summary>
    public static List<FrequencySweepRow> ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        bool v1 = lines.Length > 0 && lines[0].Trim() == CsvHeaderV1;
        if (lines.Length == 0 || (lines[0].Trim() != CsvHeader && !v1))
        {
            throw new DataFormatException(path, $"not a frequency sweep CSV (expected the header '{CsvHeader}')");
        }
        var rows = new List<FrequencySweepRow>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }
            string[] f = lines[i].Split(',');
            try
            {
                int expected = v1 ? 9 : 10;
                if (f.Length != expected)
                {
                    throw new FormatException($"{f.Length} fields instead of {expected}");
                }
                if (v1)
                {
                    f = [f[0], f[1], f[2], f[2], .. f[3..]]; // window = step
                }
                rows.Add(new FrequencySweepRow(f[0], Num(f[1]), Num(f[2]), Num(f[3]), Num(f[4]), f[5],
                    Num(f[6]), Num(f[7]), Num(f[8]), int.Parse(f[9], CultureInfo.InvariantCulture)));
            }
            catch (FormatException e)
            {
                throw new DataFormatException(path, $"line {i + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    /// <summary>Writes the rows as sweep.csv (atomically).</summary>
    public static void WriteCsv(string path, IEnumerable<FrequencySweepRow> rows)
    {
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (FrequencySweepRow r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.Label},{R(r.Hz)},{R(r.StepMs)},{R(r.WindowMs)},{R(r.StepScale)},{r.Mask},{R(r.AP)},{R(r.AP50)},{R(r.AP75)},{r.LabelFrames}\n");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>One table per label: hz, step, window, s, mask, AP, AP50, ΔAP against the label's row at the training rate.</summary>
    public static string Markdown(IReadOnlyList<FrequencySweepRow> rows, double trainHz)
    {
        var sb = new StringBuilder();
        foreach (IGrouping<string, FrequencySweepRow> g in rows.GroupBy(r => r.Label))
        {
            FrequencySweepRow? reference = g.FirstOrDefault(r => Math.Abs(r.Hz - trainHz) < 1e-9);
            sb.Append(CultureInfo.InvariantCulture, $"### {g.Key}\n\n");
            sb.Append("| Hz | step (ms) | window (ms) | step scale | mask | AP | AP50 | ΔAP vs ").Append(trainHz.ToString("0.###", CultureInfo.InvariantCulture)).Append(" Hz |\n");
            sb.Append("|---:|---:|---:|---:|---|---:|---:|---:|\n");
            foreach (FrequencySweepRow r in g.OrderBy(r => r.Hz))
            {
                string delta = reference is null ? "–" : ((r.AP - reference.AP) * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {r.Hz:0.###} | {r.StepMs:0.###} | {r.WindowMs:0.###} | {(double.IsNaN(r.StepScale) ? "–" : r.StepScale.ToString("0.####", CultureInfo.InvariantCulture))} | {r.Mask} | {r.AP * 100:0.0} | {r.AP50 * 100:0.0} | {delta} |\n");
            }
            sb.Append('\n');
        }
        sb.Append("AP and AP50 in %, ΔAP in AP points (Prophesee/COCO protocol).\n");
        return sb.ToString();
    }

    /// <summary>mAP (AP × 100) against frequency, one line per label.</summary>
    public static RgbImage Plot(IReadOnlyList<FrequencySweepRow> rows) => LinePlot.Render(
        rows.GroupBy(r => r.Label)
            .Select(g => new PlotSeries(g.Key, g.OrderBy(r => r.Hz).Select(r => (r.Hz, r.AP * 100)).ToArray()))
            .ToArray(),
        "mAP vs input frequency", "frequency (Hz)", "mAP (%)");

    private static string Preprocess(string raw, string outDir, double hz, PreprocessOptions pre, Action<string>? log,
        IProgress<ProgressReport>? progress, CancellationToken ct)
    {
        string name = $"pre_{hz.ToString("0.###", CultureInfo.InvariantCulture)}hz";
        if (pre.WindowMs != pre.StepMs)
        {
            name += $"_dt{pre.WindowMs.ToString("0.###", CultureInfo.InvariantCulture)}";
        }
        string dir = Path.Combine(outDir, name);
        log?.Invoke($"{hz:0.###} Hz: preprocessing {raw} ({pre.RepresentationName}) → {dir} (resumes when partly done)");
        PreprocessReport report = new Preprocessor(pre).Run(raw, dir, progress, ct);
        if (report.AnyFailed)
        {
            throw new InvalidOperationException($"{dir}: preprocessing failed: " + string.Join("; ",
                report.Sequences.Where(s => s.Status == SequenceStatus.Failed).Select(s => $"{s.Sequence}: {s.Reason}")));
        }
        return dir;
    }

    private static double Num(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
