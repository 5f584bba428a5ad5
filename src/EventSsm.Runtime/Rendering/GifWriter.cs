using System.Buffers.Binary;
using System.Text;
using EventSsm.IO;

namespace EventSsm.Rendering;

/// <summary>Where a GIF's colours come from.</summary>
public enum GifPaletteMode
{
    /// <summary>One global table: <see cref="GifPalette"/> (exact for event and class colours).</summary>
    Global,

    /// <summary>Each frame gets a local table of its exact colours when it has at most 256, else the fixed palette.</summary>
    PerFrame,
}

/// <summary>
/// A dependency-free animated GIF89a encoder: logical screen, optional global table, NETSCAPE2.0 looping
/// extension, and per frame a graphic control extension (delay) plus an LZW-compressed image.
/// </summary>
public sealed class GifWriter
{
    private readonly Stream _out;
    private readonly GifPaletteMode _mode;
    private readonly GifLzwEncoder _lzw = new();
    private byte[] _indices = [];
    private bool _finished;

    /// <param name="loopCount">0 loops forever.</param>
    /// <param name="output">Where the GIF bytes go.</param>
    /// <param name="width">Logical screen width in pixels.</param>
    /// <param name="height">Logical screen height in pixels.</param>
    /// <param name="mode">One global colour table, or a table per frame.</param>
    public GifWriter(Stream output, int width, int height, GifPaletteMode mode = GifPaletteMode.Global, int loopCount = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (width is <= 0 or > ushort.MaxValue || height is <= 0 or > ushort.MaxValue)
        {
            throw new ArgumentException($"GIF size {width}×{height} must be within 1..65535");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(loopCount);
        _out = output;
        _mode = mode;
        Width = width;
        Height = height;
        Span<byte> screen = stackalloc byte[13];
        Encoding.ASCII.GetBytes("GIF89a", screen);
        BinaryPrimitives.WriteUInt16LittleEndian(screen[6..], (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(screen[8..], (ushort)height);
        // Global table flag, 8-bit colour resolution, 2^(7+1) entries.
        screen[10] = (byte)(mode == GifPaletteMode.Global ? 0xF7 : 0x70);
        screen[11] = 0;
        screen[12] = 0;
        _out.Write(screen);
        if (mode == GifPaletteMode.Global)
        {
            WriteTable(GifPalette.Colors);
        }
        _out.Write([0x21, 0xFF, 0x0B]);
        _out.Write(Encoding.ASCII.GetBytes("NETSCAPE2.0"));
        _out.Write([0x03, 0x01, (byte)loopCount, (byte)(loopCount >> 8), 0x00]);
    }

    /// <summary>Logical screen width in pixels.</summary>
    public int Width { get; }

    /// <summary>Logical screen height in pixels.</summary>
    public int Height { get; }

    /// <summary>Frames written so far.</summary>
    public int FrameCount { get; private set; }

    /// <summary>Appends a frame shown for <paramref name="delayCentiseconds"/> hundredths of a second.</summary>
    public void AddFrame(RgbImage frame, int delayCentiseconds)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_finished)
        {
            throw new InvalidOperationException("the GIF is already finished");
        }
        if (frame.Width != Width || frame.Height != Height)
        {
            throw new ArgumentException($"frame is {frame.Width}×{frame.Height}, the GIF {Width}×{Height}");
        }
        int n = Width * Height;
        if (_indices.Length != n)
        {
            _indices = new byte[n];
        }
        IReadOnlyList<Rgb>? local = _mode == GifPaletteMode.PerFrame ? ExactPalette(frame, _indices) : null;
        if (local is null)
        {
            byte[] px = frame.Pixels;
            for (int i = 0; i < n; i++)
            {
                _indices[i] = GifPalette.IndexOf(new Rgb(px[3 * i], px[3 * i + 1], px[3 * i + 2]));
            }
        }
        int delay = Math.Clamp(delayCentiseconds, 0, ushort.MaxValue);
        // Graphic control extension: disposal 1 (leave in place), no transparency.
        _out.Write([0x21, 0xF9, 0x04, 0x04, (byte)delay, (byte)(delay >> 8), 0x00, 0x00]);
        Span<byte> descriptor = stackalloc byte[10];
        descriptor[0] = 0x2C;
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor[5..], (ushort)Width);
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor[7..], (ushort)Height);
        descriptor[9] = (byte)(_mode == GifPaletteMode.PerFrame ? 0x87 : 0x00);
        _out.Write(descriptor);
        if (_mode == GifPaletteMode.PerFrame)
        {
            WriteTable(local ?? GifPalette.Colors);
        }
        _lzw.Encode(_indices, _out);
        FrameCount++;
    }

    /// <summary>Writes the trailer. The stream is left open.</summary>
    public void Finish()
    {
        if (!_finished)
        {
            _out.WriteByte(0x3B);
            _finished = true;
        }
    }

    /// <summary>Writes an animated GIF atomically.</summary>
    public static int WriteFile(string path, IEnumerable<RgbImage> frames, int delayCentiseconds, GifPaletteMode mode = GifPaletteMode.Global)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int count = 0;
        AtomicFile.Write(path, s =>
        {
            GifWriter? gif = null;
            foreach (RgbImage f in frames)
            {
                gif ??= new GifWriter(s, f.Width, f.Height, mode);
                gif.AddFrame(f, delayCentiseconds);
            }
            if (gif is null)
            {
                throw new ArgumentException($"no frames to write to {path}");
            }
            gif.Finish();
            count = gif.FrameCount;
        });
        return count;
    }

    private void WriteTable(IReadOnlyList<Rgb> colors)
    {
        var table = new byte[768];
        for (int i = 0; i < colors.Count; i++)
        {
            table[3 * i] = colors[i].R;
            table[3 * i + 1] = colors[i].G;
            table[3 * i + 2] = colors[i].B;
        }
        _out.Write(table);
    }

    /// <summary>The frame's colours in order of first appearance, or null when there are more than 256.</summary>
    private static List<Rgb>? ExactPalette(RgbImage frame, byte[] indices)
    {
        var lookup = new Dictionary<int, byte>();
        var colors = new List<Rgb>();
        byte[] px = frame.Pixels;
        for (int i = 0; i < indices.Length; i++)
        {
            int key = (px[3 * i] << 16) | (px[3 * i + 1] << 8) | px[3 * i + 2];
            if (!lookup.TryGetValue(key, out byte idx))
            {
                if (colors.Count == 256)
                {
                    return null;
                }
                idx = (byte)colors.Count;
                lookup[key] = idx;
                colors.Add(new Rgb(px[3 * i], px[3 * i + 1], px[3 * i + 2]));
            }
            indices[i] = idx;
        }
        return colors;
    }
}
