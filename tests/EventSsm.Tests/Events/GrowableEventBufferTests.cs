using EventSsm.Events;

namespace EventSsm.Tests.Events;

public sealed class GrowableEventBufferTests
{
    [Fact]
    public void AddPermuted_AppendsSourceEventsInTheGivenOrder_GrowingAsNeeded()
    {
        var src = new GrowableEventBuffer(0);
        for (int i = 0; i < 5; i++)
        {
            src.Add((ushort)i, (ushort)(10 + i), (byte)(i % 2), 100 + i);
        }
        var dst = new GrowableEventBuffer(1);
        dst.Add(9, 9, 1, 7);

        dst.AddPermuted(src, [3, 0, 4, 4]);

        EventArray got = dst.ToEventArray(0, dst.Count, 16, 16);
        Assert.Equal([9, 3, 0, 4, 4], got.X);
        Assert.Equal([9, 13, 10, 14, 14], got.Y);
        Assert.Equal([1, 1, 0, 0, 0], got.P);
        Assert.Equal([7L, 103, 100, 104, 104], got.T);
    }
}
