using EventSsm.Events;
using EventSsm.IO;

namespace EventSsm.Tests.Cli;

public sealed class ConvertCommandTests
{
    private static string GoldenDat => Fixtures.Events.SynthDat;

    [Fact]
    public void Convert_DatToH5ToDat_IsIdentical()
    {
        using TempDir dir = Fixtures.TempDir();
        CliRunner.Run(["convert", GoldenDat, dir.File("a_td.dat.h5")]);
        CliRunner.Run(["convert", dir.File("a_td.dat.h5"), dir.File("b.dat")]);
        EventArray golden = DatFile.ReadAll(GoldenDat);
        AssertSame(golden, RawEventH5Reader.ReadAll(dir.File("a_td.dat.h5"), SensorSize.Gen4));
        AssertSame(golden, DatFile.ReadAll(dir.File("b.dat")));
    }

    [Fact]
    public void Convert_RawToH5ToDat_KeepsTheEvents()
    {
        using TempDir dir = Fixtures.TempDir();
        EventArray golden = DatFile.ReadAll(GoldenDat);
        RawFile.WriteEvt2(dir.File("a.raw"), golden);
        EventConversionResult toH5 = EventFileConverter.Convert(dir.File("a.raw"), dir.File("a.h5"));
        Assert.Equal(golden.Count, toH5.Events);
        Assert.NotNull(toH5.RawStats);
        EventConversionResult toDat = EventFileConverter.Convert(dir.File("a.h5"), dir.File("a.dat"));
        Assert.Null(toDat.RawStats);
        AssertSame(golden, DatFile.ReadAll(dir.File("a.dat")));
    }

    [Fact]
    public void Convert_GoldenH5ToDat_EqualsGoldenDat()
    {
        using TempDir dir = Fixtures.TempDir();
        EventFileConverter.Convert(Fixtures.Events.SynthH5, dir.File("a.dat"));
        AssertSame(DatFile.ReadAll(GoldenDat), DatFile.ReadAll(dir.File("a.dat")));
    }

    [Fact]
    public void Convert_H5WithoutSize_TakesTheSizeOptions()
    {
        using TempDir dir = Fixtures.TempDir();
        EventConversionResult r = EventFileConverter.Convert(Fixtures.Events.SynthH5,
            dir.File("a.dat"), width: 320, height: 256);
        Assert.Equal((320, 256), (r.Width, r.Height));
        Assert.Equal((320, 256), (DatFile.ReadHeader(dir.File("a.dat")).Width, DatFile.ReadHeader(dir.File("a.dat")).Height));
    }

    [Fact]
    public void Convert_CorruptH5_ErrorNamesTheFileAndWritesNothing()
    {
        using TempDir dir = Fixtures.TempDir();
        string bad = dir.File("bad.h5");
        File.WriteAllBytes(bad, new byte[300]);
        var e = Assert.ThrowsAny<DataFormatException>(() => EventFileConverter.Convert(bad, dir.File("out.dat")));
        Assert.Contains(bad, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("out.dat")));
        Assert.Contains(bad, CliRunner.BadInput(["convert", bad, dir.File("out.dat")]), StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_UnknownExtension_ErrorNamesTheFile()
    {
        using TempDir dir = Fixtures.TempDir();
        var e = Assert.Throws<ArgumentException>(() => EventFileConverter.Convert(GoldenDat, dir.File("out.bin")));
        Assert.Contains("out.bin", e.Message, StringComparison.Ordinal);
    }

    private static void AssertSame(EventArray expected, EventArray actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.Count), (actual.Width, actual.Height, actual.Count));
        Assert.True(expected.X.AsSpan(0, expected.Count).SequenceEqual(actual.X.AsSpan(0, actual.Count)));
        Assert.True(expected.Y.AsSpan(0, expected.Count).SequenceEqual(actual.Y.AsSpan(0, actual.Count)));
        Assert.True(expected.P.AsSpan(0, expected.Count).SequenceEqual(actual.P.AsSpan(0, actual.Count)));
        Assert.True(expected.T.AsSpan(0, expected.Count).SequenceEqual(actual.T.AsSpan(0, actual.Count)));
    }
}
