using System.Globalization;

namespace EventSsm.Tests.Training;

/// <summary>A strict reader of a run's metrics.csv, as pandas would read it: one header, then rows of exactly its width.</summary>
internal sealed record MetricsCsv(string[] Columns, IReadOnlyList<Dictionary<string, double?>> Rows)
{
    public static MetricsCsv Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        Assert.NotEmpty(lines);
        string[] columns = lines[0].Split(',');
        Assert.Equal("step", columns[0]);
        Assert.Equal(columns.Length, columns.Distinct(StringComparer.Ordinal).Count());
        var rows = new List<Dictionary<string, double?>>();
        long previous = long.MinValue;
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split(',');
            Assert.True(fields.Length == columns.Length, $"{fields.Length} fields instead of {columns.Length}: {line}");
            long step = long.Parse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.True(step >= previous, $"step {step} after {previous}");
            previous = step;
            var row = new Dictionary<string, double?>(StringComparer.Ordinal) { ["step"] = step };
            for (int i = 1; i < fields.Length; i++)
            {
                row[columns[i]] = fields[i].Length == 0 ? null : double.Parse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            rows.Add(row);
        }
        return new MetricsCsv(columns, rows);
    }

    /// <summary>The steps of the rows where <paramref name="column"/> has a value.</summary>
    public long[] StepsWith(string column) => [.. Rows.Where(r => r[column] is not null).Select(r => (long)r["step"]!.Value)];
}
