using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TorchSharp;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a UTF-8 JSON header
/// <c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}</c>, then the raw little-endian
/// tensor bytes, offsets counted from the end of the header. Our own checkpoints store the resolved model
/// configuration under <see cref="ConfigMetadataKey"/>, so a weights file describes the model it belongs to.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Metadata key holding the resolved configuration as a JSON string.</summary>
    public const string ConfigMetadataKey = "eventssm.config";

    private const string MetadataKey = "__metadata__";

    // The reference implementation refuses headers above 100 MB; so do we, before allocating.
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Reads every tensor (contiguous CPU tensors) and the metadata.</summary>
    public static SafetensorsContent Read(string path)
    {
        using FileStream fs = OpenRead(path);
        return Read(fs, path);
    }

    /// <summary>Reads from a seekable stream; <paramref name="path"/> only names it in errors.</summary>
    internal static SafetensorsContent Read(Stream fs, string path)
    {
        (List<Entry> entries, Dictionary<string, string> metadata, long dataStart) = ReadHeader(path, fs);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (Entry e in entries)
            {
                byte[] bytes = new byte[e.End - e.Begin];
                fs.Position = dataStart + e.Begin;
                fs.ReadExactly(bytes);
                Tensor t = empty(e.Shape, e.DType, CPU);
                if (bytes.Length > 0)
                {
                    t.bytes = bytes;
                }
                tensors[e.Name] = t;
            }
        }
        catch
        {
            foreach (Tensor t in tensors.Values)
            {
                t.Dispose();
            }
            throw;
        }
        return new SafetensorsContent(tensors, metadata);
    }

    /// <summary>Reads only the header's metadata (cheap: no tensor data is touched).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using FileStream fs = OpenRead(path);
        return ReadHeader(path, fs).Metadata;
    }

    /// <summary>Name, dtype and shape of every tensor, in file order, without reading tensor data.</summary>
    public static IReadOnlyList<(string Name, ScalarType DType, long[] Shape)> ReadTensorInfo(string path)
    {
        using FileStream fs = OpenRead(path);
        return ReadHeader(path, fs).Entries.Select(e => (e.Name, e.DType, e.Shape)).ToList();
    }

    /// <summary>Writes tensors (any device, any layout) in name order, atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.ContainsKey(MetadataKey))
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
        }
        string[] names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        var blobs = new List<byte[]>(names.Length);
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> kv in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.WriteString(kv.Key, kv.Value);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (string name in names)
            {
                Tensor t = tensors[name];
                string dtype = SafetensorsDType.ToName(t.dtype);
                using Tensor c = t.detach().cpu().contiguous();
                byte[] blob = c.numel() == 0 ? [] : c.bytes.ToArray();
                blobs.Add(blob);
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (long d in t.shape)
                {
                    w.WriteNumberValue(d);
                }
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + blob.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += blob.Length;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (header.Length % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            s.Write(len);
            header.Position = 0;
            header.CopyTo(s);
            foreach (byte[] blob in blobs)
            {
                s.Write(blob);
            }
        });
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{path}: file not found", path, e);
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(string path, Stream fs)
    {
        long fileLength = fs.Length;
        if (fileLength < 8)
        {
            throw new DataFormatException(path, $"safetensors file is {fileLength} bytes, shorter than its 8-byte header length");
        }
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength < 2 || headerLength > (ulong)Math.Min(MaxHeaderBytes, fileLength - 8))
        {
            throw new DataFormatException(path, $"safetensors header length {headerLength} does not fit the file ({fileLength} bytes)");
        }
        byte[] json = new byte[headerLength];
        fs.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try
        {
            // Decoding first turns invalid UTF-8 into a clear error (JsonDocument would defer it to property access).
            string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(json);
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(path, "safetensors header is not valid UTF-8", e);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, $"safetensors header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(path, "safetensors header is not a JSON object");
            }
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(p.Name))
                {
                    throw new DataFormatException(path, $"safetensors header names '{p.Name}' twice");
                }
                if (p.Name == MetadataKey)
                {
                    ReadMetadataObject(path, p.Value, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(path, p.Name, p.Value, dataLength));
                }
            }
            CheckNoOverlap(path, entries);
            return (entries, metadata, dataStart);
        }
    }

    private static void ReadMetadataObject(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException(path, $"safetensors '{MetadataKey}' is not an object");
        }
        foreach (JsonProperty m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw new DataFormatException(path, $"safetensors metadata '{m.Name}' is not a string");
            }
            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    private static Entry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offEl) || offEl.ValueKind != JsonValueKind.Array
            || offEl.GetArrayLength() != 2)
        {
            throw new DataFormatException(path, $"safetensors entry '{name}' needs dtype, shape and data_offsets [begin, end]");
        }
        string dtypeName = dtypeEl.GetString()!;
        if (!SafetensorsDType.TryFromName(dtypeName, out ScalarType dtype, out int size))
        {
            throw new UnsupportedDataException(path, $"safetensors entry '{name}' has unsupported dtype '{dtypeName}'");
        }
        long[] shape = shapeEl.EnumerateArray().Select(d => NonNegative(path, name, "shape", d)).ToArray();
        long begin = NonNegative(path, name, "data_offsets", offEl[0]);
        long end = NonNegative(path, name, "data_offsets", offEl[1]);
        if (begin > end || end > dataLength)
        {
            throw new DataFormatException(path, $"safetensors entry '{name}' data_offsets [{begin}, {end}] lie outside the {dataLength} data bytes");
        }
        long numel = 1;
        foreach (long d in shape)
        {
            numel = d == 0 ? 0 : numel > (end - begin) / d ? long.MaxValue : numel * d;
        }
        if (numel == long.MaxValue || numel * size != end - begin)
        {
            throw new DataFormatException(path, $"safetensors entry '{name}' has shape [{string.Join(",", shape)}] of {dtypeName} but {end - begin} data bytes");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long NonNegative(string path, string name, string field, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= 0)
        {
            return v;
        }
        throw new DataFormatException(path, $"safetensors entry '{name}' {field} holds {e.GetRawText()}, not a non-negative integer");
    }

    private static void CheckNoOverlap(string path, List<Entry> entries)
    {
        Entry? previous = null;
        foreach (Entry e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
            {
                throw new DataFormatException(path, $"safetensors entries '{previous.Name}' and '{e.Name}' overlap");
            }
            previous = e;
        }
    }

    private sealed record Entry(string Name, ScalarType DType, long[] Shape, long Begin, long End);
}
