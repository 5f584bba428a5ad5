namespace EventSsm.Rendering;

/// <summary>
/// GIF's variable-code-size LZW (GIF89a spec, appendix F) for 8-bit indices: starts with a clear code, widens codes
/// from 9 to 12 bits as the table grows, emits a clear code when the 4096-entry table is full, ends with the
/// end-of-information code; output is packed LSB-first into 255-byte sub-blocks followed by a zero-length block.
/// </summary>
internal sealed class GifLzwEncoder
{
    public const int MinCodeSize = 8;
    private const int ClearCode = 1 << MinCodeSize;
    private const int EndCode = ClearCode + 1;
    private const int MaxCode = 4095;
    private const int HashSize = 8192;

    private readonly int[] _keys = new int[HashSize];
    private readonly short[] _codes = new short[HashSize];
    private readonly byte[] _block = new byte[255];
    private Stream _out = Stream.Null;
    private int _blockLength;
    private uint _bits;
    private int _bitCount;

    public void Encode(ReadOnlySpan<byte> indices, Stream output)
    {
        _out = output;
        _blockLength = 0;
        _bits = 0;
        _bitCount = 0;
        output.WriteByte(MinCodeSize);
        int codeSize = MinCodeSize + 1;
        int lastCode = EndCode;
        ResetTable();
        WriteCode(ClearCode, codeSize);
        if (indices.Length > 0)
        {
            int prefix = indices[0];
            for (int i = 1; i < indices.Length; i++)
            {
                int k = indices[i];
                int key = (prefix << 8) | k;
                int slot = Find(key);
                if (_keys[slot] == key)
                {
                    prefix = _codes[slot];
                    continue;
                }
                WriteCode(prefix, codeSize);
                lastCode++;
                _keys[slot] = key;
                _codes[slot] = (short)lastCode;
                if (lastCode >= 1 << codeSize)
                {
                    codeSize++;
                }
                if (lastCode == MaxCode)
                {
                    WriteCode(ClearCode, codeSize);
                    ResetTable();
                    codeSize = MinCodeSize + 1;
                    lastCode = EndCode;
                }
                prefix = k;
            }
            WriteCode(prefix, codeSize);
            // A decoder adds a table entry after reading that last code and may widen before the end code.
            if (lastCode > EndCode && lastCode + 1 >= 1 << codeSize && codeSize < 12)
            {
                codeSize++;
            }
        }
        WriteCode(EndCode, codeSize);
        if (_bitCount > 0)
        {
            PutByte((byte)_bits);
        }
        FlushBlock();
        output.WriteByte(0);
    }

    private void ResetTable() => Array.Fill(_keys, -1);

    private int Find(int key)
    {
        int slot = (int)((uint)(key * 0x9E3779B1) >> 19);
        while (_keys[slot] != -1 && _keys[slot] != key)
        {
            slot = (slot + 1) & (HashSize - 1);
        }
        return slot;
    }

    private void WriteCode(int code, int size)
    {
        _bits |= (uint)code << _bitCount;
        _bitCount += size;
        while (_bitCount >= 8)
        {
            PutByte((byte)_bits);
            _bits >>= 8;
            _bitCount -= 8;
        }
    }

    private void PutByte(byte b)
    {
        _block[_blockLength++] = b;
        if (_blockLength == 255)
        {
            FlushBlock();
        }
    }

    private void FlushBlock()
    {
        if (_blockLength == 0)
        {
            return;
        }
        _out.WriteByte((byte)_blockLength);
        _out.Write(_block, 0, _blockLength);
        _blockLength = 0;
    }
}
