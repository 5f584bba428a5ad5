using SkiaSharp;
using EventSsm.Events;
using EventSsm.Labels;
using EventSsm.Rendering;

namespace EventSsm.Tests.Rendering;

public sealed class GifWriterTests
{
    private static RgbImage PatternFrame(int w, int h, int seed)
    {
        var img = new RgbImage(w, h);
        var rng = new Random(seed);
        Rgb[] colors = [Rgb.Grey, Rgb.White, Rgb.Black, new(255, 255, 0), new(0, 0, 255), EventFrames.OnColor, EventFrames.OffColor];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                img[x, y] = rng.Next(4) == 0 ? colors[rng.Next(colors.Length)] : Rgb.Grey;
            }
        }
        return img;
    }

    private static byte[] WriteGif(IReadOnlyList<RgbImage> frames, GifPaletteMode mode, int delay = 5)
    {
        using var ms = new MemoryStream();
        var gif = new GifWriter(ms, frames[0].Width, frames[0].Height, mode);
        foreach (RgbImage f in frames)
        {
            gif.AddFrame(f, delay);
        }
        gif.Finish();
        return ms.ToArray();
    }

    [Theory]
    [InlineData(GifPaletteMode.Global)]
    [InlineData(GifPaletteMode.PerFrame)]
    public void Gif_HasValidStructure_AndFramesDecodeToTheExactColours(GifPaletteMode mode)
    {
        RgbImage[] frames = [PatternFrame(97, 61, 1), PatternFrame(97, 61, 2), PatternFrame(97, 61, 3)];
        GifTestDecoder gif = GifTestDecoder.Parse(WriteGif(frames, mode, delay: 7));
        Assert.Equal((97, 61), (gif.Width, gif.Height));
        Assert.True(gif.HasNetscapeLoop);
        Assert.Equal(3, gif.Frames.Count);
        Assert.Equal(mode == GifPaletteMode.Global, gif.GlobalTable is not null);
        Assert.All(gif.Frames, f => Assert.Equal(7, f.Delay));
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.Equal(frames[i].Pixels, gif.DecodeFrameRgb(i));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Lzw_RoundTripsThroughTableResets(int kind)
    {
        // Random bytes fill the 4096-entry table many times; constant data grows long strings; a small alphabet mixes both.
        var rng = new Random(kind);
        var data = new byte[200_003];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = kind switch
            {
                0 => (byte)rng.Next(256),
                1 => 127,
                _ => (byte)rng.Next(3),
            };
        }
        using var ms = new MemoryStream();
        new GifLzwEncoder().Encode(data, ms);
        byte[] encoded = ms.ToArray();
        Assert.Equal(data, GifTestDecoder.DecodeLzw(encoded, 0, data.Length));
        if (kind == 1)
        {
            Assert.True(encoded.Length < 2_000, $"constant data compressed to {encoded.Length} bytes");
        }
    }

    [Fact]
    public void Lzw_RoundTripsWhenStreamsEndAtCodeWidthBoundaries()
    {
        // With random bytes nearly every index is its own code, so sweeping the length makes streams end right at
        // the code-width boundaries (511/512, 1023/1024), where the decoder widens before reading the end code.
        var encoder = new GifLzwEncoder();
        var data = new byte[830];
        for (int seed = 0; seed < 40; seed++)
        {
            new Random(seed).NextBytes(data);
            foreach (int n in Enumerable.Range(230, 70).Concat(Enumerable.Range(740, 90)))
            {
                using var ms = new MemoryStream();
                encoder.Encode(data.AsSpan(0, n), ms);
                Assert.Equal(data.AsSpan(0, n).ToArray(), GifTestDecoder.DecodeLzw(ms.ToArray(), 0, n));
            }
        }
    }

    [Fact]
    public void Palette_KeepsEventAndClassColoursExactly()
    {
        Rgb[] exact = [Rgb.Grey, Rgb.White, Rgb.Black, EventFrames.OnColor, EventFrames.OffColor, .. ClassStyle.Gen1.Colors, .. ClassStyle.Gen4.Colors];
        Assert.Equal(256, GifPalette.Colors.Count);
        foreach (Rgb c in exact)
        {
            Assert.Equal(c, GifPalette.Colors[GifPalette.IndexOf(c)]);
        }
        Assert.Equal(new Rgb(255, 0, 0), GifPalette.Colors[GifPalette.IndexOf(new Rgb(250, 20, 10))]);
    }

    [Fact]
    public void SkiaSharp_DecodesTheRenderedGif_WithBoxesInClassColour()
    {
        EventArray ev = new([10, 20], [10, 20], [1, 0], [40_000, 90_000], 64, 48);
        BoundingBox[] labels = [new(50_000, 8, 12, 30, 20, 0), new(100_000, 30, 10, 12, 30, 1)];
        var options = new RenderOptions { Scale = 2, Legend = false };
        RgbImage[] frames = EventVideo.Frames(ev, labels, null, options).ToArray();
        Assert.Equal(2, frames.Length);
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File("v.gif");
        Assert.Equal(2, GifWriter.WriteFile(path, frames, 5));
        using SKCodec codec = SKCodec.Create(path);
        Assert.Equal(SKEncodedImageFormat.Gif, codec.EncodedFormat);
        Assert.Equal(2, codec.FrameCount);
        var info = new SKImageInfo(128, 96, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int f = 0; f < 2; f++)
        {
            using var bmp = new SKBitmap(info);
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, bmp.GetPixels(), new SKCodecOptions(f)));
            // Left edge of the box of that frame, halfway down, at scale 2; then an untouched background pixel.
            BoundingBox b = labels[f];
            SKColor edge = bmp.GetPixel((int)(b.X * 2), (int)((b.Y + b.H / 2) * 2));
            Rgb expected = ClassStyle.Gen1.Color(b.ClassId);
            Assert.Equal((expected.R, expected.G, expected.B), (edge.Red, edge.Green, edge.Blue));
            Assert.Equal(new SKColor(127, 127, 127), bmp.GetPixel(126, 94));
        }
    }
}
