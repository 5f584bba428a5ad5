using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EventSsm.Tensors;

/// <summary>
/// Copies float frames from (C, H, W) to (H', W', C) memory, zero-padded right and bottom to H' × W': the detector's
/// input made channels-last (docs/MODEL.md §11.1, "Channels-last input"). libtorch copies a permuted tensor through
/// its generic strided loop, which for the stem's 20 channels takes about three times as long as this blocked
/// transpose (8 channels × 8 pixels in registers). A copy: the values are bit for bit the source's.
/// </summary>
public static class NchwToNhwc
{
    /// <summary>Copies every frame; the padding of the destination is set to zero.</summary>
    /// <param name="source">frames × (channels, height, width) values, contiguous.</param>
    /// <param name="destination">frames × (paddedHeight, paddedWidth, channels) values; every one is written.</param>
    /// <param name="shape">The frames' sizes.</param>
    /// <remarks>
    /// One thread. Split over two, the copy took longer inside a streaming frame
    /// (docs/PERFORMANCE.md "Tried and kept (ninth session)"): the .NET worker waits for the core on which
    /// libtorch's idle OpenMP thread still spins.
    /// </remarks>
    // Optimised at the first call: a caller that keeps .NET's quick JIT (the CLI turns it off) would otherwise run the
    // first ~30 frames' copies unoptimised, slower than libtorch's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Copy(ReadOnlySpan<float> source, Span<float> destination, Shape shape)
    {
        long frameIn = (long)shape.Channels * shape.Height * shape.Width;
        long rowOut = (long)shape.PaddedWidth * shape.Channels;
        long frameOut = shape.PaddedHeight * rowOut;
        if (source.Length != shape.Frames * frameIn || destination.Length != shape.Frames * frameOut)
        {
            throw new ArgumentException(
                $"{shape.Frames} frames of ({shape.Channels}, {shape.Height}, {shape.Width}) → ({shape.PaddedHeight}, "
                + $"{shape.PaddedWidth}, {shape.Channels}) need {shape.Frames * frameIn} source and {shape.Frames * frameOut} "
                + $"destination values, got {source.Length} and {destination.Length}");
        }
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        long plane = (long)shape.Height * shape.Width;
        for (int row = 0; row < shape.Rows; row++)
        {
            (int f, int y) = Math.DivRem(row, shape.PaddedHeight);
            ref float dstRow = ref Unsafe.Add(ref dst, (nint)(row * rowOut));
            if (y >= shape.Height)
            {
                Clear(ref dstRow, rowOut);
                continue;
            }
            Row(ref Unsafe.Add(ref src, (nint)(f * frameIn + (long)y * shape.Width)), ref dstRow, plane, shape.Channels, shape.Width);
            Clear(ref Unsafe.Add(ref dstRow, (nint)((long)shape.Width * shape.Channels)), (shape.PaddedWidth - shape.Width) * (long)shape.Channels);
        }
    }

    /// <summary>Sizes of a <see cref="Copy"/>: frames of (C, H, W) into (H', W', C), H' ≥ H and W' ≥ W.</summary>
    public readonly record struct Shape
    {
        /// <param name="frames">Number of frames.</param>
        /// <param name="channels">C, at least 1.</param>
        /// <param name="height">H of the source.</param>
        /// <param name="width">W of the source.</param>
        /// <param name="paddedHeight">H' ≥ H of the destination.</param>
        /// <param name="paddedWidth">W' ≥ W of the destination.</param>
        public Shape(int frames, int channels, int height, int width, int paddedHeight, int paddedWidth)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(frames);
            ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
            ArgumentOutOfRangeException.ThrowIfNegative(height);
            ArgumentOutOfRangeException.ThrowIfNegative(width);
            ArgumentOutOfRangeException.ThrowIfLessThan(paddedHeight, height);
            ArgumentOutOfRangeException.ThrowIfLessThan(paddedWidth, width);
            (Frames, Channels, Height, Width, PaddedHeight, PaddedWidth) = (frames, channels, height, width, paddedHeight, paddedWidth);
        }

        /// <summary>Number of frames.</summary>
        public int Frames { get; }

        /// <summary>C.</summary>
        public int Channels { get; }

        /// <summary>H of the source.</summary>
        public int Height { get; }

        /// <summary>W of the source.</summary>
        public int Width { get; }

        /// <summary>H' of the destination.</summary>
        public int PaddedHeight { get; }

        /// <summary>W' of the destination.</summary>
        public int PaddedWidth { get; }

        /// <summary>Destination rows, frames × H'.</summary>
        public int Rows => Frames * PaddedHeight;
    }

    // Channel ch of pixel x: source[ch·plane + x] → destination[x·channels + ch], for one image row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(ref float src, ref float dst, long plane, int channels, int width)
    {
        int x = 0;
        if (Avx.IsSupported)
        {
            for (; x + 8 <= width; x += 8)
            {
                int ch = 0;
                for (; ch + 8 <= channels; ch += 8)
                {
                    Block8(ref Unsafe.Add(ref src, (nint)(ch * plane + x)), ref Unsafe.Add(ref dst, (nint)((long)x * channels + ch)), plane, channels);
                }
                if (ch + 4 <= channels)
                {
                    Block4(ref Unsafe.Add(ref src, (nint)(ch * plane + x)), ref Unsafe.Add(ref dst, (nint)((long)x * channels + ch)), plane, channels);
                    ch += 4;
                }
                for (; ch < channels; ch++)
                {
                    for (int i = 0; i < 8; i++)
                    {
                        Unsafe.Add(ref dst, (nint)((long)(x + i) * channels + ch)) = Unsafe.Add(ref src, (nint)(ch * plane + x + i));
                    }
                }
            }
        }
        for (; x < width; x++)
        {
            for (int ch = 0; ch < channels; ch++)
            {
                Unsafe.Add(ref dst, (nint)((long)x * channels + ch)) = Unsafe.Add(ref src, (nint)(ch * plane + x));
            }
        }
    }

    // 8 channels × 8 pixels → 8 pixels × 8 channels: two 4-channel transposes, then their 128-bit halves swapped so
    // that pixel i's 8 channels lie in one vector.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(ref float src, ref float dst, long plane, int stride)
    {
        (Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3) = Transpose4(ref src, plane);
        (Vector256<float> b0, Vector256<float> b1, Vector256<float> b2, Vector256<float> b3) =
            Transpose4(ref Unsafe.Add(ref src, (nint)(4 * plane)), plane);
        nuint s = (nuint)stride;
        Avx.Permute2x128(a0, b0, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(a1, b1, 0x20).StoreUnsafe(ref dst, s);
        Avx.Permute2x128(a2, b2, 0x20).StoreUnsafe(ref dst, 2 * s);
        Avx.Permute2x128(a3, b3, 0x20).StoreUnsafe(ref dst, 3 * s);
        Avx.Permute2x128(a0, b0, 0x31).StoreUnsafe(ref dst, 4 * s);
        Avx.Permute2x128(a1, b1, 0x31).StoreUnsafe(ref dst, 5 * s);
        Avx.Permute2x128(a2, b2, 0x31).StoreUnsafe(ref dst, 6 * s);
        Avx.Permute2x128(a3, b3, 0x31).StoreUnsafe(ref dst, 7 * s);
    }

    // 4 channels × 8 pixels → 8 pixels × 4 channels.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4(ref float src, ref float dst, long plane, int stride)
    {
        (Vector256<float> p04, Vector256<float> p15, Vector256<float> p26, Vector256<float> p37) = Transpose4(ref src, plane);
        nuint s = (nuint)stride;
        p04.GetLower().StoreUnsafe(ref dst);
        p15.GetLower().StoreUnsafe(ref dst, s);
        p26.GetLower().StoreUnsafe(ref dst, 2 * s);
        p37.GetLower().StoreUnsafe(ref dst, 3 * s);
        p04.GetUpper().StoreUnsafe(ref dst, 4 * s);
        p15.GetUpper().StoreUnsafe(ref dst, 5 * s);
        p26.GetUpper().StoreUnsafe(ref dst, 6 * s);
        p37.GetUpper().StoreUnsafe(ref dst, 7 * s);
    }

    // Loads 4 channels of 8 pixels and transposes each 128-bit half: the i-th result holds pixel i's 4 channels in its
    // low half and pixel i + 4's in its high half (unpack, then shuffle).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>, Vector256<float>, Vector256<float>) Transpose4(ref float src, long plane)
    {
        nuint p = (nuint)plane;
        Vector256<float> r0 = Vector256.LoadUnsafe(ref src);
        Vector256<float> r1 = Vector256.LoadUnsafe(ref src, p);
        Vector256<float> r2 = Vector256.LoadUnsafe(ref src, 2 * p);
        Vector256<float> r3 = Vector256.LoadUnsafe(ref src, 3 * p);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        return (Avx.Shuffle(t0, t2, 0x44), Avx.Shuffle(t0, t2, 0xEE), Avx.Shuffle(t1, t3, 0x44), Avx.Shuffle(t1, t3, 0xEE));
    }

    // Runs lie inside the destination span, so their lengths fit an int.
    private static void Clear(ref float start, long count) => MemoryMarshal.CreateSpan(ref start, (int)count).Clear();
}
