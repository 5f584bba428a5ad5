using System.Buffers.Binary;
using Tensorboard;

namespace EventSsm.Tests.Training;

/// <summary>
/// A reader of TensorBoard event files as TensorBoard reads them: TFRecord records (uint64 length, masked CRC32C of
/// the length, data, masked CRC32C of the data), each an <c>Event</c> protobuf. The CRC is a table-driven CRC32C
/// written here, independent of the writer's hardware-intrinsic one.
/// </summary>
internal static class TensorBoardEventFile
{
    private static readonly uint[] s_table = BuildTable();

    public static List<Event> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int at = 0;
        while (at < bytes.Length)
        {
            Assert.True(bytes.Length - at >= 12, $"{path}: truncated record header at {at}");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Masked(bytes.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            at += 12;
            Assert.True((ulong)(bytes.Length - at) >= length + 4, $"{path}: truncated record at {at}");
            ReadOnlySpan<byte> data = bytes.AsSpan(at, (int)length);
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + (int)length)));
            events.Add(Event.Parser.ParseFrom(data.ToArray())); // TorchSharp's generated code parses byte arrays, not spans
            at += (int)length + 4;
        }
        return events;
    }

    /// <summary>All summary values of all event files under <paramref name="directory"/>, with their steps.</summary>
    public static List<(long Step, Summary.Types.Value Value)> Values(string directory) =>
        Directory.GetFiles(directory, "events.out.tfevents.*").Order(StringComparer.Ordinal)
            .SelectMany(Read)
            .Where(e => e.Summary is not null)
            .SelectMany(e => e.Summary.Value.Select(v => (e.Step, v)))
            .ToList();

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static uint[] BuildTable()
    {
        // Castagnoli polynomial, reflected.
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
