using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;
using EventSsm.IO.Hdf5;

namespace EventSsm.Events;

/// <summary>
/// Writes the RVT raw event HDF5 layout that <see cref="RawEventH5Reader"/> reads (docs/DATA.md §1.3): group
/// <c>events</c> with 1-D datasets x (uint16), y (uint16), p (uint8), t (int64) and int64 scalars
/// <c>events/width</c>, <c>events/height</c>. Datasets are chunked by <see cref="ChunkEvents"/> and Blosc/zstd
/// compressed as in the golden files (filter 32001, byte shuffle, clevel 1). PureHDF 2.2 cannot write unlimited
/// dimensions, so the event count must be known before writing; events are then pushed in any batch sizes and
/// written one full chunk at a time, so memory stays at one chunk. The file appears atomically.
/// </summary>
public static class RawEventH5Writer
{
    /// <summary>Events per HDF5 chunk of the written datasets.</summary>
    public const int ChunkEvents = 1 << 16;

    /// <summary>Writes all of <paramref name="events"/>.</summary>
    public static void Write(string path, EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        Write(path, events.Count, events.Width, events.Height, sink => sink(events));
    }

    /// <summary>
    /// Writes exactly <paramref name="count"/> events, which <paramref name="produce"/> hands to the sink it is given
    /// (in order, any batch sizes).
    /// </summary>
    public static void Write(string path, long count, int width, int height, Action<Action<EventArray>> produce)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(produce);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        BloscH5Filter.EnsureRegistered();
        var x = Dataset<ushort>(count);
        var y = Dataset<ushort>(count);
        var p = Dataset<byte>(count);
        var t = Dataset<long>(count);
        var file = new H5File
        {
            ["events"] = new H5Group
            {
                ["x"] = x,
                ["y"] = y,
                ["p"] = p,
                ["t"] = t,
                ["width"] = (long)width,
                ["height"] = (long)height,
            },
        };
        Hdf5Writing.WriteAtomically(path, file, writer =>
        {
            var chunk = new ChunkWriter(writer, x, y, p, t, count);
            produce(chunk.Add);
            chunk.Finish();
        });
    }

    private static H5Dataset<T[]> Dataset<T>(long count)
    {
        if (count == 0)
        {
            // A chunked dataset needs chunks of at least one element.
            return new H5Dataset<T[]>(fileDims: [0UL]);
        }
        var filter = new H5Filter(BloscH5Filter.Id);
        return new H5Dataset<T[]>(
            fileDims: [(ulong)count],
            chunks: [(uint)Math.Min(ChunkEvents, count)],
            datasetCreation: new H5DatasetCreation(Filters: [filter]));
    }

    /// <summary>Collects pushed events into chunk-sized arrays and writes each one when it is full.</summary>
    private sealed class ChunkWriter(H5NativeWriter writer, H5Dataset<ushort[]> xs, H5Dataset<ushort[]> ys,
        H5Dataset<byte[]> ps, H5Dataset<long[]> ts, long count)
    {
        private ushort[] _x = [];
        private ushort[] _y = [];
        private byte[] _p = [];
        private long[] _t = [];
        private int _filled;
        private long _written;

        public void Add(EventArray events)
        {
            int i = 0;
            while (i < events.Count)
            {
                if (_written + _filled + events.Count - i > count)
                {
                    throw new InvalidOperationException($"more events were produced than the {count} announced");
                }
                if (_filled == _x.Length)
                {
                    Flush();
                    // A fresh array per chunk: PureHDF may keep a reference until the chunk is written out.
                    int size = (int)Math.Min(ChunkEvents, count - _written);
                    (_x, _y, _p, _t) = (new ushort[size], new ushort[size], new byte[size], new long[size]);
                }
                int n = Math.Min(events.Count - i, _x.Length - _filled);
                events.X.AsSpan(i, n).CopyTo(_x.AsSpan(_filled));
                events.Y.AsSpan(i, n).CopyTo(_y.AsSpan(_filled));
                events.P.AsSpan(i, n).CopyTo(_p.AsSpan(_filled));
                events.T.AsSpan(i, n).CopyTo(_t.AsSpan(_filled));
                _filled += n;
                i += n;
            }
        }

        public void Finish()
        {
            if (_written + _filled != count)
            {
                throw new InvalidOperationException($"{_written + _filled} events were produced, {count} announced");
            }
            Flush();
        }

        private void Flush()
        {
            if (_filled == 0)
            {
                return;
            }
            var sel = new HyperslabSelection((ulong)_written, (ulong)_filled);
            writer.Write(xs, _x, fileSelection: sel);
            writer.Write(ys, _y, fileSelection: sel);
            writer.Write(ps, _p, fileSelection: sel);
            writer.Write(ts, _t, fileSelection: sel);
            _written += _filled;
            _filled = 0;
            _x = [];
        }
    }
}
