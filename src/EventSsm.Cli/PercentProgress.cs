namespace EventSsm.Cli;

/// <summary>Prints whole percents of a long file pass to stderr as they are reached.</summary>
internal sealed class PercentProgress : IProgress<double>
{
    private int _last = -1;

    public void Report(double value)
    {
        int pct = (int)(value * 100);
        if (pct > _last)
        {
            _last = pct;
            Console.Error.Write($"\r{pct,3}%");
            if (pct >= 100)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
