using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;
using EventSsm.IO.Hdf5;

namespace EventSsm.Representations;

/// <summary>
/// Writes <c>event_representations*.h5</c> in RVT's layout (docs/DATA.md §2.8): <c>/data</c> uint8
/// (N, C, H, W), chunks (1, C, H, W), filter 32001 with cd_values (2, 2, 1, C·H·W, clevel, 1 = byte shuffle,
/// 5 = zstd), readable by h5py + hdf5plugin. Frames are produced one at a time, so memory stays at one frame plus
/// PureHDF's buffers. Differences from h5py's output: maxshape equals shape (PureHDF 2.2 cannot write unlimited
/// dimensions) and the chunk index is whatever PureHDF writes; RVT's loader reads neither.
/// </summary>
public static class RepresentationH5Writer
{
    /// <summary>
    /// Writes <paramref name="count"/> frames; <paramref name="fillFrame"/> fills frame i (C·H·W bytes, C order).
    /// The file appears atomically (temp file + rename).
    /// </summary>
    public static void Write(string path, int count, int channels, int height, int width,
        Action<int, Span<byte>> fillFrame, int clevel = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(fillFrame);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfLessThan(clevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clevel, 9);
        long frameBytes = (long)channels * height * width;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameBytes, int.MaxValue - 16, "channels*height*width");
        BloscH5Filter.EnsureRegistered();

        var filter = new H5Filter(BloscH5Filter.Id, new Dictionary<string, object>
        {
            [BloscH5Filter.CompressionLevelOption] = clevel,
        });
        var dataset = new H5Dataset<byte[]>(
            fileDims: [(ulong)count, (ulong)channels, (ulong)height, (ulong)width],
            chunks: [1, (uint)channels, (uint)height, (uint)width],
            datasetCreation: new H5DatasetCreation(Filters: [filter]));
        var file = new H5File { [RepresentationH5Reader.DatasetName] = dataset };
        ulong[] block = [1, (ulong)channels, (ulong)height, (ulong)width];
        Hdf5Writing.WriteAtomically(path, file, writer =>
        {
            for (int i = 0; i < count; i++)
            {
                // A fresh array per frame: PureHDF may keep a reference until the chunk is flushed.
                byte[] frame = new byte[frameBytes];
                fillFrame(i, frame);
                writer.Write(dataset, frame, fileSelection: new HyperslabSelection(4, [(ulong)i, 0, 0, 0], block));
            }
        });
    }

    /// <summary>Writes frames given as arrays of C·H·W bytes each.</summary>
    public static void Write(string path, IReadOnlyList<byte[]> frames, int channels, int height, int width, int clevel = 1)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int frameBytes = checked(channels * height * width);
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].Length != frameBytes)
            {
                throw new ArgumentException($"frame {i} has {frames[i].Length} bytes, expected {frameBytes}", nameof(frames));
            }
        }
        Write(path, frames.Count, channels, height, width, (i, dst) => frames[i].CopyTo(dst), clevel);
    }
}
