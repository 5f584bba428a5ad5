using PureHDF;
using PureHDF.VOL.Native;

namespace EventSsm.IO.Hdf5;

/// <summary>Atomic HDF5 writes with PureHDF.</summary>
internal static class Hdf5Writing
{
    /// <summary>
    /// Writes <paramref name="file"/> through <see cref="AtomicFile"/> (temporary file, then rename over
    /// <paramref name="path"/>), letting <paramref name="writeData"/> fill its datasets.
    /// </summary>
    public static void WriteAtomically(string path, H5File file, Action<H5NativeWriter> writeData)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(writeData);
        AtomicFile.Write(path, stream =>
        {
            using H5NativeWriter writer = file.BeginWrite(stream);
            writeData(writer);
        });
    }
}
