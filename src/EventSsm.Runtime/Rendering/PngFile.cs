using System.Runtime.InteropServices;
using SkiaSharp;
using EventSsm.IO;

namespace EventSsm.Rendering;

/// <summary>PNG output through SkiaSharp.</summary>
public static class PngFile
{
    /// <summary>The image as PNG bytes.</summary>
    public static byte[] Encode(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgba = new byte[image.Width * image.Height * 4];
        byte[] px = image.Pixels;
        for (int i = 0, j = 0; i < px.Length; i += 3, j += 4)
        {
            rgba[j] = px[i];
            rgba[j + 1] = px[i + 1];
            rgba[j + 2] = px[i + 2];
            rgba[j + 3] = 255;
        }
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode the PNG");
        return data.ToArray();
    }

    /// <summary>Writes the image as a PNG file (atomically).</summary>
    public static void Write(string path, RgbImage image) => AtomicFile.WriteAllBytes(path, Encode(image));
}
