namespace EventSsm.Tests;

/// <summary>Paths of committed test fixtures (tests/fixtures, copied next to the test assembly).</summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Golden(params string[] parts) => Path.Combine([Root, "golden", .. parts]);

    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>A fresh empty directory under the system temp folder, deleted when disposed.</summary>
    public static TempDir TempDir() => new();
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eventssm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
