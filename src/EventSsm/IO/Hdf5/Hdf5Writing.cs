using PureHDF;
using PureHDF.VOL.Native;

namespace EventSsm.IO.Hdf5;

/// <summary>Atomic HDF5 writes with PureHDF.</summary>
internal static class Hdf5Writing
{
    /// <summary>
    /// Writes <paramref name="file"/> to a temporary file next to <paramref name="path"/>, lets
    /// <paramref name="writeData"/> fill its datasets, then renames it over <paramref name="path"/>. AtomicFile's stream
    /// is write-only, but PureHDF's writer needs a readable, seekable one, hence this variant.
    /// </summary>
    public static void WriteAtomically(string path, H5File file, Action<H5NativeWriter> writeData)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                using (H5NativeWriter writer = file.BeginWrite(fs))
                {
                    writeData(writer);
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }
}
