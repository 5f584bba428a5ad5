using System.Buffers.Binary;
using System.Text;

namespace EventSsm.Tests.Checkpoints;

/// <summary>
/// Walks a protocol-2 pickle opcode by opcode (without building anything) and lists the opcodes and the GLOBAL names it
/// uses, so a test can hold a written checkpoint to what a restricted unpickler accepts. Knows the opcodes our writer
/// and torch.save emit; any other opcode fails the walk.
/// </summary>
internal sealed class PickleOpcodes
{
    /// <summary>The opcodes torch 1.13's <c>weights_only</c> unpickler implements (torch/_weights_only_unpickler.py).</summary>
    public static readonly IReadOnlySet<byte> WeightsOnly113 = new HashSet<byte>
    {
        0x63, 0x81, 0x52, 0x62, 0x61, 0x65, 0x73, 0x75, 0x28, 0x74, 0x85, 0x86, 0x87, 0x4e, 0x89, 0x88, 0x29, 0x5d, 0x7d,
        0x8f, 0x4a, 0x4b, 0x4d, 0x58, 0x55, 0x51, 0x68, 0x6a, 0x71, 0x72, 0x8a, 0x80, 0x2e,
    };

    public HashSet<byte> Opcodes { get; } = [];

    public HashSet<string> Globals { get; } = new(StringComparer.Ordinal);

    public static PickleOpcodes Walk(byte[] pickle)
    {
        var result = new PickleOpcodes();
        int pos = 0;
        while (true)
        {
            byte op = pickle[pos++];
            result.Opcodes.Add(op);
            switch (op)
            {
                case 0x2e: // STOP
                    Assert.Equal(pickle.Length, pos);
                    return result;
                case 0x80 or 0x4b or 0x71 or 0x68: // PROTO, BININT1, BINPUT, BINGET
                    pos += 1;
                    break;
                case 0x4d: // BININT2
                    pos += 2;
                    break;
                case 0x4a or 0x72 or 0x6a: // BININT, LONG_BINPUT, LONG_BINGET
                    pos += 4;
                    break;
                case 0x47: // BINFLOAT
                    pos += 8;
                    break;
                case 0x8a: // LONG1
                    pos += 1 + pickle[pos];
                    break;
                case 0x58: // BINUNICODE
                    pos += 4 + BinaryPrimitives.ReadInt32LittleEndian(pickle.AsSpan(pos));
                    break;
                case 0x49: // INT: one decimal line
                    pos = Array.IndexOf(pickle, (byte)'\n', pos) + 1;
                    break;
                case 0x63: // GLOBAL: two lines
                    int end1 = Array.IndexOf(pickle, (byte)'\n', pos);
                    int end2 = Array.IndexOf(pickle, (byte)'\n', end1 + 1);
                    result.Globals.Add(Encoding.ASCII.GetString(pickle, pos, end1 - pos) + "." + Encoding.ASCII.GetString(pickle, end1 + 1, end2 - end1 - 1));
                    pos = end2 + 1;
                    break;
                case 0x7d or 0x5d or 0x29 or 0x28 or 0x74 or 0x85 or 0x86 or 0x87 or 0x4e or 0x88 or 0x89 or 0x52 or 0x51
                    or 0x73 or 0x75 or 0x61 or 0x65 or 0x62 or 0x30:
                    break;
                default:
                    Assert.Fail($"opcode 0x{op:x2} at byte {pos - 1} is not one the writer should emit");
                    break;
            }
        }
    }
}
