using System.Text.Json;
using EventSsm.Labels;
using EventSsm.Rendering;
using EventSsm.Rendering.Viewer;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EventSsm.Tests.Rendering.Viewer;

public sealed class ViewerDocumentTests
{
    [Property(MaxTest = 50)]
    public Property PlaneCodec_RoundTrips(byte[] values)
    {
        byte[] plane = values.Select(v => (byte)(v % 3)).ToArray();
        return (ViewerFrameCodec.DecodePlane(ViewerFrameCodec.EncodePlane(plane), plane.Length).SequenceEqual(plane)).ToProperty();
    }

    [Fact]
    public void PlaneCodec_PacksFourPixelsPerByte_LowBitsFirst()
    {
        byte[] packed = ViewerFrameCodec.Decompress(ViewerFrameCodec.EncodePlane([2, 1, 0, 2, 1]));
        Assert.Equal(new byte[] { 0b10_00_01_10, 0b01 }, packed);
        Assert.Throws<ArgumentException>(() => ViewerFrameCodec.EncodePlane([4]));
    }

    [Fact]
    public void RepresentationBudget_KeepsEveryStrideFrame_AndStaysWithinIt()
    {
        var random = new Random(3);
        var layout = new RepresentationLayout("bins", 2, 16, 16, 10);
        byte[] hist = new byte[layout.Bytes];
        // Incompressible histograms of a known size each, so the budget holds about five of them.
        random.NextBytes(hist);
        long one = Convert.ToBase64String(ViewerFrameCodec.Compress(hist)).Length;
        var doc = new ViewerDocument("t", 16, 16, new ViewerOptions { RepresentationBudgetBytes = 5 * one + one / 2 });
        doc.SetRepresentationLayout(layout);
        for (int i = 0; i < 40; i++)
        {
            doc.AddFrame(50_000 * (i + 1), new byte[256]);
            if (doc.WantsRepresentation(i))
            {
                doc.AddRepresentation(i, hist);
            }
        }
        Assert.Equal(8, doc.RepresentationStride);
        Assert.Equal([0, 8, 16, 24, 32], doc.RepresentationFrames);
        Assert.True(doc.RepresentationBytes <= doc.Options.RepresentationBudgetBytes);
    }

    [Fact]
    public void Boxes_GoToTheFrameOfTheirTime_AndLowScoresAreLeftOut()
    {
        using TempDir tmp = Fixtures.TempDir();
        var doc = new ViewerDocument("t", 8, 8, new ViewerOptions { StepUs = 50_000, MinStoredConfidence = 0.05 });
        for (int i = 1; i <= 3; i++)
        {
            doc.AddFrame(50_000 * i, new byte[64]);
        }
        doc.SetPredictions([new BoundingBox(100_000, 1, 2, 3, 4, 1, 0.5f), new BoundingBox(100_000, 1, 1, 1, 1, 0, 0.01f)]);
        doc.SetLabels([new BoundingBox(120_000, 1.234f, 2, 3, 4, 0)]);
        doc.Write(tmp.File("p.html"));
        using JsonDocument data = ViewerPageData.Read(tmp.File("p.html"));
        JsonElement pred = data.RootElement.GetProperty("pred");
        Assert.Equal([0, 1, 0], pred.EnumerateArray().Select(f => f.GetArrayLength()));
        Assert.Equal([1.0, 2, 3, 4, 1, 0.5], pred[1][0].EnumerateArray().Select(v => v.GetDouble()));
        JsonElement gt = data.RootElement.GetProperty("gt");
        // A label at 120 ms shows on the frame ending at 150 ms (the latest at or after it, within one step).
        Assert.Equal([0, 0, 1], gt.EnumerateArray().Select(f => f.GetArrayLength()));
        Assert.Equal(1.23, gt[2][0][0].GetDouble());
        Assert.Equal(JsonValueKind.Null, data.RootElement.GetProperty("metrics").ValueKind);
        Assert.Equal([[127, 127, 127], [0, 0, 0], [255, 255, 255]],
            data.RootElement.GetProperty("palettes").GetProperty("binary").EnumerateArray().Select(c => c.EnumerateArray().Select(v => v.GetInt32()).ToArray()));
    }

    [Fact]
    public void Frames_MustMoveForwardInTime_AndMatchThePageSize()
    {
        var doc = new ViewerDocument("t", 4, 4);
        doc.AddFrame(10, new byte[16]);
        Assert.Throws<ArgumentException>(() => doc.AddFrame(10, new byte[16]));
        Assert.Throws<ArgumentException>(() => doc.AddFrame(20, new byte[15]));
        Assert.Throws<InvalidOperationException>(() => new ViewerDocument("empty", 4, 4).Write(Path.Combine(Path.GetTempPath(), "never.html")));
    }
}
