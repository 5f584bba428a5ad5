using System.Globalization;
using System.Text;
using EventSsm.IO;
using EventSsm.Rendering;

namespace EventSsm.Training;

/// <summary>
/// Where a run's numbers go: <c>metrics.csv</c> and TensorBoard event files in the run directory. Needs no account
/// and no network, unlike the original's mandatory W&amp;B.
/// <para>
/// metrics.csv is a plain CSV that pandas and spreadsheets read as is: its columns (<c>step</c>, then the ones given
/// to the constructor) are fixed when the log is opened, and its one header line stays for the whole life of the run.
/// A row holds one <see cref="Log"/> call; a column without a value in that call is empty. Resuming keeps the rows up
/// to the resumed step (later ones are redone) and rewrites them under the declared header, so a file from another
/// column set or with the header lines older versions appended mid-file is brought into shape.
/// </para>
/// </summary>
public sealed class RunLog : IDisposable
{
    public const string CsvName = "metrics.csv";

    private const string StepColumn = "step";

    private readonly string _csvPath;
    private readonly string[] _columns;
    private readonly TensorBoardWriter? _tensorBoard;

    /// <param name="columns">Every key <see cref="Log"/> will be given, in column order.</param>
    /// <param name="resumeAfterStep">
    /// The step a resumed run continues from: the existing rows up to it are kept. Null starts a new metrics.csv.
    /// </param>
    public RunLog(string runDirectory, IReadOnlyList<string> columns, long? resumeAfterStep = null, bool tensorBoard = true)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        ArgumentNullException.ThrowIfNull(columns);
        foreach (string c in columns)
        {
            if (c.Length == 0 || c.IndexOfAny([',', '"', '\n', '\r']) >= 0 || c == StepColumn)
            {
                throw new ArgumentException($"'{c}' cannot be a metrics.csv column");
            }
        }
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
        {
            throw new ArgumentException("metrics.csv columns must be distinct: " + string.Join(", ", columns));
        }
        Directory.CreateDirectory(runDirectory);
        RunDirectory = runDirectory;
        _csvPath = Path.Combine(runDirectory, CsvName);
        _columns = [StepColumn, .. columns];
        var text = new StringBuilder(string.Join(',', _columns)).Append('\n');
        if (resumeAfterStep is long last && File.Exists(_csvPath))
        {
            foreach (Dictionary<string, string> row in ReadRows(_csvPath))
            {
                if (long.TryParse(row.GetValueOrDefault(StepColumn), NumberStyles.Integer, CultureInfo.InvariantCulture, out long step)
                    && step <= last)
                {
                    text.Append(string.Join(',', _columns.Select(c => row.GetValueOrDefault(c, "")))).Append('\n');
                }
            }
        }
        AtomicFile.WriteAllText(_csvPath, text.ToString());
        if (tensorBoard)
        {
            _tensorBoard = new TensorBoardWriter(Path.Combine(runDirectory, "tensorboard"));
        }
    }

    public string RunDirectory { get; }

    public string CsvPath => _csvPath;

    /// <summary>The header of metrics.csv: <c>step</c> and the declared columns.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Appends one row (step + values) to the CSV and each value as a TensorBoard scalar.</summary>
    public void Log(long step, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (string key in values.Keys)
        {
            if (!_columns.Contains(key, StringComparer.Ordinal) || key == StepColumn)
            {
                throw new ArgumentException($"'{key}' is not a declared metrics.csv column ({string.Join(", ", _columns.Skip(1))})");
            }
        }
        string row = string.Join(',', _columns.Select(c => c == StepColumn
            ? step.ToString(CultureInfo.InvariantCulture)
            : values.TryGetValue(c, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : ""));
        File.AppendAllText(_csvPath, row + "\n");
        if (_tensorBoard is not null)
        {
            foreach ((string k, double v) in values)
            {
                _tensorBoard.AddScalar(k, v, step);
            }
        }
    }

    /// <summary>An image in TensorBoard (nothing without TensorBoard: images do not go to the CSV).</summary>
    public void LogImage(long step, string tag, RgbImage image) => _tensorBoard?.AddImage(tag, image, step);

    public void LogPrCurve(long step, string tag, PrCurve curve) => _tensorBoard?.AddPrCurve(tag, curve, step);

    public void LogText(long step, string tag, string markdown) => _tensorBoard?.AddText(tag, markdown, step);

    public void Dispose() => _tensorBoard?.Dispose();

    /// <summary>
    /// The rows of an existing metrics.csv by column name. Every line that starts with <c>step,</c> is a header for the
    /// lines after it (older versions appended one whenever a new column appeared).
    /// </summary>
    private static IEnumerable<Dictionary<string, string>> ReadRows(string path)
    {
        string[]? header = null;
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0)
            {
                continue;
            }
            string[] fields = line.Split(',');
            if (fields[0] == StepColumn)
            {
                header = fields;
                continue;
            }
            if (header is null)
            {
                throw new DataFormatException(path, "the first line is not a header starting with 'step'");
            }
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < Math.Min(header.Length, fields.Length); i++)
            {
                row[header[i]] = fields[i];
            }
            yield return row;
        }
    }
}
