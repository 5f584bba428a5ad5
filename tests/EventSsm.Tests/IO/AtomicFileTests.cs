using EventSsm.IO;

namespace EventSsm.Tests.IO;

public sealed class AtomicFileTests
{
    [Fact]
    public void WriteAllText_ReplacesTheContent_AndLeavesNoTemporaryFile()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = Path.Combine(dir.Path, "sub", "a.txt");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void AWriterThatFails_LeavesTheOldContent_AndNoTemporaryFile()
    {
        using TempDir dir = Fixtures.TempDir();
        string path = Path.Combine(dir.Path, "a.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([9, 9]);
            throw new InvalidDataException("the source ended early");
        }));
        Assert.Equal("the source ended early", e.Message);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFolderThatTakesNoFiles_IsAnErrorNamingTheTarget_NotTheTemporaryFile()
    {
        // procfs accepts no new files, even from root (the suite runs on Linux: libtorch-cpu-linux-x64).
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteAllText("/proc/eventssm-test.txt", "x"));
        Assert.Equal("/proc/eventssm-test.txt: cannot write (its folder takes no new files)", e.Message);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
    }
}
