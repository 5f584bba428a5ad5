using System.Runtime.InteropServices;

namespace EventSsm.Training;

/// <summary>
/// The C allocator whose <c>malloc</c> serves libtorch's CPU tensors in this process, and where the two that can stand
/// in for glibc's are installed (docs/PERFORMANCE.md "Allocators"). Another allocator replaces glibc's only when the
/// dynamic loader preloads it as the process starts (<c>LD_PRELOAD</c>); the CLI's <c>--allocator</c> starts the
/// command again that way. Linux only.
/// </summary>
public static class HostAllocator
{
    public const string Glibc = "glibc";
    public const string Tcmalloc = "tcmalloc";
    public const string Jemalloc = "jemalloc";

    /// <summary>The allocators <c>--allocator</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [Glibc, Tcmalloc, Jemalloc];

    /// <summary>The Debian/Ubuntu package of each preloadable allocator, for the error that says how to get it.</summary>
    public static string Package(string name) => name switch
    {
        Tcmalloc => "libtcmalloc-minimal4",
        Jemalloc => "libjemalloc2",
        _ => throw new ArgumentException($"{name} is not a preloadable allocator ({Tcmalloc}, {Jemalloc})", nameof(name)),
    };

    private static readonly Lazy<string> s_active = new(Detect);

    /// <summary>
    /// <c>glibc</c>, <c>tcmalloc</c> or <c>jemalloc</c>: the library the process's <c>malloc</c> symbol resolves to
    /// (the file name of another one, <c>system</c> off Linux).
    /// </summary>
    public static string Active => s_active.Value;

    /// <summary>The library file names of a preloadable allocator, preferred first.</summary>
    private static string[] FileNames(string name) => name switch
    {
        // gperftools' minimal build: malloc without the heap profiler, the one PyTorch's CPU tuning guides preload.
        Tcmalloc => ["libtcmalloc_minimal.so.4", "libtcmalloc.so.4"],
        Jemalloc => ["libjemalloc.so.2"],
        _ => throw new ArgumentException($"{name} is not a preloadable allocator ({Tcmalloc}, {Jemalloc})", nameof(name)),
    };

    /// <summary>The folders <see cref="Find(string)"/> searches: the multiarch library folders, then the generic ones.</summary>
    public static IReadOnlyList<string> SearchDirectories { get; } = BuildSearchDirectories();

    /// <summary>The installed library of <paramref name="name"/> (<c>tcmalloc</c> or <c>jemalloc</c>), or null.</summary>
    public static string? Find(string name) => Find(name, SearchDirectories);

    /// <summary>The library of <paramref name="name"/> in the first of <paramref name="directories"/> that has one, or null.</summary>
    public static string? Find(string name, IEnumerable<string> directories)
    {
        string[] files = FileNames(name);
        foreach (string dir in directories)
        {
            foreach (string file in files)
            {
                string path = Path.Combine(dir, file);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// <paramref name="preload"/> (an <c>LD_PRELOAD</c> value, entries separated by ':' or spaces) without the
    /// allocators of <see cref="Names"/>, then <paramref name="library"/> (if any) first.
    /// </summary>
    public static string PreloadWith(string? preload, string? library)
    {
        IEnumerable<string> kept = (preload ?? "").Split([':', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Where(entry => !IsAllocatorLibrary(Path.GetFileName(entry)));
        return string.Join(':', library is null ? kept : kept.Prepend(library));
    }

    private static bool IsAllocatorLibrary(string fileName) =>
        fileName.Contains(Tcmalloc, StringComparison.Ordinal) || fileName.Contains(Jemalloc, StringComparison.Ordinal);

    private static string Detect()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "system";
        }
        // The main program's handle looks a symbol up in the global scope, preloaded libraries first: the malloc the
        // process's libraries (libtorch's included) were bound to.
        if (!NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "malloc", out IntPtr malloc)
            || Dladdr(malloc, out DlInfo info) == 0 || info.FileName == IntPtr.Zero)
        {
            return Glibc;
        }
        string file = Path.GetFileName(Marshal.PtrToStringUTF8(info.FileName) ?? "");
        return file.Contains(Tcmalloc, StringComparison.Ordinal) ? Tcmalloc
            : file.Contains(Jemalloc, StringComparison.Ordinal) ? Jemalloc
            : file.StartsWith("libc.", StringComparison.Ordinal) || file.Length == 0 ? Glibc
            : file;
    }

    private static string[] BuildSearchDirectories()
    {
        string? multiarch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x86_64-linux-gnu",
            Architecture.Arm64 => "aarch64-linux-gnu",
            _ => null,
        };
        var dirs = new List<string>();
        if (multiarch is not null)
        {
            dirs.Add($"/usr/lib/{multiarch}");
            dirs.Add($"/lib/{multiarch}");
        }
        dirs.AddRange(["/usr/lib64", "/usr/lib", "/usr/local/lib"]);
        return [.. dirs];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public IntPtr FileName;
        public IntPtr FileBase;
        public IntPtr SymbolName;
        public IntPtr SymbolAddress;
    }

    [DllImport("libc", EntryPoint = "dladdr")]
    private static extern int Dladdr(IntPtr address, out DlInfo info);
}
