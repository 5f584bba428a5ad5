using System.Collections;
using System.IO.Compression;
using System.Text;
using TorchSharp.PyBridge;
using EventSsm.IO;
using static TorchSharp.torch;

namespace EventSsm.Checkpoints;

/// <summary>
/// Writes PyTorch zip checkpoints that <c>torch.load</c> reads: a plain state dict (<c>.pt</c>) or the Lightning layout
/// the original's validation script loads (<c>.ckpt</c>), as docs/MODEL.md §7.1 describes. The pickle and the storage
/// records come from TorchSharp.PyBridge's pickler (Razorvine.Pickle underneath); its archive is then re-packed into
/// torch.save's own container — entries stored, not deflated, under the file's stem, with a <c>byteorder</c> record —
/// so the file looks like one Python wrote. Our <see cref="TorchCheckpoint"/> reads both back.
/// </summary>
public static class TorchCheckpointWriter
{
    /// <summary>The archive folder PyBridge writes its records under.</summary>
    private const string PyBridgeArchive = "model/";

    /// <summary>
    /// A state dict as <c>torch.save(state_dict)</c> writes it: a dict of tensors under their own names (a Python dict,
    /// not an OrderedDict; <c>load_state_dict</c> takes either). Every tensor is saved as a contiguous CPU copy
    /// without autograd history, which <c>torch.load(weights_only=True)</c> accepts.
    /// </summary>
    public static void WriteStateDict(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        List<Tensor> copies = [];
        try
        {
            Write(path, CopyTensors(stateDict, prefix: "", copies));
        }
        finally
        {
            copies.ForEach(t => t.Dispose());
        }
    }

    /// <summary>
    /// A Lightning checkpoint: <c>epoch</c>, <c>global_step</c>, <c>pytorch-lightning_version</c>, <c>state_dict</c>
    /// (every key prefixed with <paramref name="prefix"/>, the original's <c>mdl.</c>) and <c>hyper_parameters</c> =
    /// <c>{'full_config': …}</c> with the config as nested dicts, lists and plain values (<see cref="PickleConfig"/>).
    /// </summary>
    public static void WriteLightning(string path, IReadOnlyDictionary<string, Tensor> stateDict, LightningCheckpointInfo info,
        string prefix = DetectorCheckpoint.LightningPrefix)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(info);
        List<Tensor> copies = [];
        try
        {
            var hyperParameters = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
            if (info.Config is not null)
            {
                hyperParameters["full_config"] = PickleConfig.ToPython(info.Config);
            }
            var root = new OrderedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["epoch"] = info.Epoch,
                ["global_step"] = info.GlobalStep,
                ["pytorch-lightning_version"] = info.LightningVersion,
                ["state_dict"] = CopyTensors(stateDict, prefix, copies),
                ["hyper_parameters"] = hyperParameters,
            };
            Write(path, root);
        }
        finally
        {
            copies.ForEach(t => t.Dispose());
        }
    }

    private static OrderedDictionary<string, object?> CopyTensors(IReadOnlyDictionary<string, Tensor> stateDict, string prefix, List<Tensor> copies)
    {
        var result = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string key, Tensor t) in stateDict)
        {
            // A fresh tensor owns a storage of exactly its elements at offset 0: PyBridge writes the tensor's bytes
            // together with its offset and strides, which only agree for such a tensor.
            using Tensor source = t.detach();
            Tensor copy = empty(t.shape, t.dtype, CPU).copy_(source);
            copies.Add(copy);
            result.Add(prefix + key, copy);
        }
        return result;
    }

    private static void Write(string path, IDictionary root)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var pickled = new MemoryStream();
        PyTorchPickler.PickleStateDict(pickled, root, leaveOpen: true);
        pickled.Position = 0;
        string archive = ArchiveName(path);
        AtomicFile.Write(path, output => Repack(pickled, output, archive));
    }

    /// <summary>
    /// torch.save names the archive folder after the file (<c>model.ckpt</c> → <c>model/</c>); torch.load accepts any
    /// single folder, so characters outside [A-Za-z0-9_-] become '_' to keep the names plain.
    /// </summary>
    private static string ArchiveName(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        var sb = new StringBuilder(stem.Length);
        foreach (char c in stem)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }
        return sb.Length > 0 ? sb.ToString() : "archive";
    }

    private static void Repack(Stream pyBridgeZip, Stream output, string archive)
    {
        using var source = new ZipArchive(pyBridgeZip, ZipArchiveMode.Read, leaveOpen: true);
        using var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        // torch.save's order: the pickle, the byte order, the storages, the format version.
        ZipArchiveEntry[] entries = source.Entries
            .OrderBy(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) ? 0 : e.FullName.EndsWith("/version", StringComparison.Ordinal) ? 2 : 1)
            .ThenBy(e => e.FullName.Length).ThenBy(e => e.FullName, StringComparer.Ordinal)
            .ToArray();
        foreach (ZipArchiveEntry entry in entries)
        {
            if (!entry.FullName.StartsWith(PyBridgeArchive, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"unexpected record '{entry.FullName}' from the pickler");
            }
            string name = archive + "/" + entry.FullName[PyBridgeArchive.Length..];
            if (name.EndsWith("/version", StringComparison.Ordinal))
            {
                // PyBridge writes the version with the platform's newline; torch.save writes "3\n".
                WriteEntry(target, name, "3\n"u8);
                continue;
            }
            using (Stream from = entry.Open())
            using (Stream to = target.CreateEntry(name, CompressionLevel.NoCompression).Open())
            {
                from.CopyTo(to);
            }
            if (name.EndsWith("/data.pkl", StringComparison.Ordinal))
            {
                WriteEntry(target, archive + "/byteorder", "little"u8);
            }
        }
    }

    private static void WriteEntry(ZipArchive target, string name, ReadOnlySpan<byte> content)
    {
        using Stream to = target.CreateEntry(name, CompressionLevel.NoCompression).Open();
        to.Write(content);
    }
}
