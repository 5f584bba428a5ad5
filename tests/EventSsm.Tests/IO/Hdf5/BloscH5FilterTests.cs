using PureHDF.Filters;
using EventSsm.IO.Hdf5;

namespace EventSsm.Tests.IO.Hdf5;

public sealed class BloscH5FilterTests
{
    [Fact]
    public void Filter_UnfilteredChunkOfChunkSize_IsReturnedRaw()
    {
        // PureHDF 2.2 passes chunks stored with filter_mask = 1 (hdf5-blosc gave up) through the filter anyway.
        byte[] raw = new byte[4096];
        new Random(5).NextBytes(raw);
        var info = new FilterInfo(H5FilterFlags.Decompress, [2, 2, 1, 4096, 1, 1, 5], 4096, raw);
        Memory<byte> result = new BloscH5Filter().Filter(info);
        Assert.True(result.Span.SequenceEqual(raw));
    }

    [Fact]
    public void Filter_CompressedFrame_IsDecoded_AndEncodeRoundTrips()
    {
        byte[] data = new byte[8192];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 3);
        }
        var filter = new BloscH5Filter();
        uint[] cd = filter.GetParameters([1, 64, 128], 1, null);
        Assert.Equal(new uint[] { 2, 2, 1, 8192, 1, 1, 5 }, cd);
        Memory<byte> frame = filter.Filter(new FilterInfo(H5FilterFlags.None, cd, 8192, data));
        Assert.True(frame.Length < data.Length);
        Memory<byte> back = filter.Filter(new FilterInfo(H5FilterFlags.Decompress, cd, 8192, frame));
        Assert.True(back.Span.SequenceEqual(data));
    }
}
