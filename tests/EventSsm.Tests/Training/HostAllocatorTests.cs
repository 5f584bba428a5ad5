using EventSsm.Training;

namespace EventSsm.Tests.Training;

/// <summary>Finding and naming the allocator behind the tensors (docs/PERFORMANCE.md "Allocators").</summary>
public sealed class HostAllocatorTests
{
    [Fact]
    public void Active_InTheTestHost_IsGlibc()
    {
        // The test host starts without LD_PRELOAD; malloc resolves to libc.so.6.
        Assert.Null(Environment.GetEnvironmentVariable("LD_PRELOAD"));
        Assert.Equal(HostAllocator.Glibc, HostAllocator.Active);
    }

    [Fact]
    public void Find_TakesTheFirstFolderWithALibrary_AndThePreferredFileInIt()
    {
        using TempDir root = Fixtures.TempDir();
        string empty = Directory.CreateDirectory(Path.Combine(root.Path, "empty")).FullName;
        string full = Directory.CreateDirectory(Path.Combine(root.Path, "full")).FullName;
        string later = Directory.CreateDirectory(Path.Combine(root.Path, "later")).FullName;
        File.WriteAllText(Path.Combine(full, "libtcmalloc.so.4"), "");
        File.WriteAllText(Path.Combine(full, "libtcmalloc_minimal.so.4"), "");
        File.WriteAllText(Path.Combine(later, "libtcmalloc_minimal.so.4"), "");
        File.WriteAllText(Path.Combine(later, "libjemalloc.so.2"), "");

        Assert.Equal(Path.Combine(full, "libtcmalloc_minimal.so.4"), HostAllocator.Find(HostAllocator.Tcmalloc, [empty, full, later]));
        Assert.Equal(Path.Combine(later, "libjemalloc.so.2"), HostAllocator.Find(HostAllocator.Jemalloc, [empty, full, later]));
        Assert.Null(HostAllocator.Find(HostAllocator.Jemalloc, [empty, full]));
        Assert.Throws<ArgumentException>(() => HostAllocator.Find(HostAllocator.Glibc, [full]));
    }

    [Theory]
    [InlineData(null, "/l/libtcmalloc_minimal.so.4", "/l/libtcmalloc_minimal.so.4")]
    [InlineData("/x/libfoo.so:/usr/lib/libjemalloc.so.2", "/l/libtcmalloc_minimal.so.4", "/l/libtcmalloc_minimal.so.4:/x/libfoo.so")]
    [InlineData("/usr/lib/libtcmalloc.so.4 /x/libfoo.so", null, "/x/libfoo.so")]
    [InlineData("", null, "")]
    public void PreloadWith_PutsTheLibraryFirst_AndDropsOtherAllocators(string? preload, string? library, string expected) =>
        Assert.Equal(expected, HostAllocator.PreloadWith(preload, library));
}
