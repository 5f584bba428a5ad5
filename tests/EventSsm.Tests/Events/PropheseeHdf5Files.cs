using System.Runtime.InteropServices;
using EventSsm.Events;
using EventSsm.IO.Hdf5;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace EventSsm.Tests.Events;

/// <summary>
/// Writes Metavision-layout HDF5 files in tests: PureHDF with <see cref="EcfH5Filter"/> (a fixed-array chunk index,
/// whole chunks through the filter, as Prophesee's Python prototype does).
/// </summary>
internal static class PropheseeHdf5Files
{
    public static void Write(string path, CdRecord[] records, uint chunk, string? geometry)
    {
        EcfH5Filter.EnsureRegistered();
        var events = new H5Dataset<CdRecord[]>(records, chunks: [(uint)Math.Min(chunk, records.Length)],
            datasetCreation: new H5DatasetCreation(Filters: [new H5Filter(EcfH5Filter.Id)]));
        var file = new H5File
        {
            ["CD"] = new H5Group { ["events"] = events },
            ["EXT_TRIGGER"] = new H5Group(),
        };
        if (geometry is not null)
        {
            file.Attributes["geometry"] = geometry;
        }
        // PureHDF's writer names members after the fields unless mapped.
        file.Write(path, new H5WriteOptions(FieldNameMapper: f => f.Name.ToLowerInvariant()));
    }

    /// <summary>EventCD (x u16 @0, y u16 @2, p i16 @4, t i64 @8), for PureHDF's writer.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct CdRecord
    {
        [FieldOffset(0)]
        public ushort X;

        [FieldOffset(2)]
        public ushort Y;

        [FieldOffset(4)]
        public short P;

        [FieldOffset(8)]
        public long T;
    }


    public static void Write(string path, EventArray events, uint chunk = 16384)
    {
        var records = new CdRecord[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            records[i] = new CdRecord { X = events.X[i], Y = events.Y[i], P = events.P[i], T = events.T[i] };
        }
        Write(path, records, chunk, $"{events.Width}x{events.Height}");
    }
}
