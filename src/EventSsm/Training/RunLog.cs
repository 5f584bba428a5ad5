using System.Globalization;
using System.Text;
using EventSsm.Rendering;

namespace EventSsm.Training;

/// <summary>
/// Where a run's numbers go: <c>metrics.csv</c> (one row per logged step, columns fixed by the first row's keys
/// plus any new ones, which start a fresh header line) and TensorBoard event files in the run directory. Needs no
/// account and no network, unlike the original's mandatory W&amp;B.
/// </summary>
public sealed class RunLog : IDisposable
{
    private readonly string _csvPath;
    private readonly TensorBoardWriter? _tensorBoard;
    private List<string>? _columns;

    public RunLog(string runDirectory, bool tensorBoard = true)
    {
        Directory.CreateDirectory(runDirectory);
        RunDirectory = runDirectory;
        _csvPath = Path.Combine(runDirectory, "metrics.csv");
        if (File.Exists(_csvPath))
        {
            // Resuming: keep the existing header so appended rows line up.
            string? header = File.ReadLines(_csvPath).FirstOrDefault();
            _columns = header?.Split(',').ToList();
        }
        if (tensorBoard)
        {
            _tensorBoard = new TensorBoardWriter(Path.Combine(runDirectory, "tensorboard"));
        }
    }

    public string RunDirectory { get; }

    public string CsvPath => _csvPath;

    /// <summary>Appends one row (step + values) to the CSV and each value as a TensorBoard scalar.</summary>
    public void Log(long step, IReadOnlyDictionary<string, double> values)
    {
        List<string> keys = ["step", .. values.Keys];
        var sb = new StringBuilder();
        if (_columns is null || keys.Any(k => !_columns.Contains(k)))
        {
            _columns = _columns is null ? keys : [.. _columns, .. keys.Where(k => !_columns.Contains(k))];
            sb.Append(string.Join(',', _columns)).Append('\n');
        }
        sb.Append(string.Join(',', _columns.Select(c => c == "step"
            ? step.ToString(CultureInfo.InvariantCulture)
            : values.TryGetValue(c, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")));
        sb.Append('\n');
        File.AppendAllText(_csvPath, sb.ToString());
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
}
