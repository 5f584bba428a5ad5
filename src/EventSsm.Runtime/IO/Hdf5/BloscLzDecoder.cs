namespace EventSsm.IO.Hdf5;

/// <summary>
/// Decodes BloscLZ, c-blosc's built-in LZ77 codec (Blosc compressor code 0, docs/FORMATS.md §5.1). No NuGet
/// package implements it (K4os covers LZ4, ZstdSharp zstd, the BCL zlib), so this is our own, written from the format
/// and checked against streams made by c-blosc 1.21 (hdf5plugin) and hand-built ones. Every instruction is checked
/// against the input and output bounds, so corrupt streams fail instead of reading or writing out of range.
/// </summary>
internal static class BloscLzDecoder
{
    /// <summary>Matches with a one-byte distance reach 8191 bytes back; the far form adds this to a 16-bit distance.</summary>
    public const int MaxNearDistance = 8191;

    /// <summary>
    /// Decodes <paramref name="src"/> into <paramref name="dst"/>; returns the number of bytes written, or -1 when the
    /// stream is malformed (truncated instruction, a match before the start, more output than room).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        if (src.IsEmpty)
        {
            return 0;
        }
        int ip = 0;
        int op = 0;
        // The first instruction is always a literal run; the top 3 bits of its byte are a format marker.
        int ctrl = src[ip++] & 31;
        while (true)
        {
            if (ctrl < 32)
            {
                // Literal run of ctrl + 1 bytes.
                int run = ctrl + 1;
                if (run > src.Length - ip || run > dst.Length - op)
                {
                    return -1;
                }
                src.Slice(ip, run).CopyTo(dst[op..]);
                ip += run;
                op += run;
            }
            else
            {
                // Match: length in the top 3 bits (7 = extended by bytes until one is not 255), distance high bits
                // in the low 5, then the distance's low byte.
                int length = (ctrl >> 5) - 1;
                int distance = (ctrl & 31) << 8;
                if (length == 6)
                {
                    int more;
                    do
                    {
                        if (ip >= src.Length)
                        {
                            return -1;
                        }
                        more = src[ip++];
                        length += more;
                    }
                    while (more == 255);
                }
                if (ip >= src.Length)
                {
                    return -1;
                }
                int low = src[ip++];
                length += 3;
                distance += low;
                if (low == 255 && distance == (31 << 8) + 255)
                {
                    // Far match: a big-endian 16-bit distance beyond the near range follows.
                    if (ip > src.Length - 2)
                    {
                        return -1;
                    }
                    distance = ((src[ip] << 8) | src[ip + 1]) + MaxNearDistance;
                    ip += 2;
                }
                int from = op - distance - 1;
                if (from < 0 || length > dst.Length - op)
                {
                    return -1;
                }
                if (distance + 1 >= length)
                {
                    dst.Slice(from, length).CopyTo(dst[op..]);
                }
                else
                {
                    // Overlapping copy: the source runs into the bytes being written (repeats a short pattern).
                    for (int k = 0; k < length; k++)
                    {
                        dst[op + k] = dst[from + k];
                    }
                }
                op += length;
            }
            if (ip >= src.Length)
            {
                return op;
            }
            ctrl = src[ip++];
        }
    }
}
