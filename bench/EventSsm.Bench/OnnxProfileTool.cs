using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using static EventSsm.Bench.ToolArgs;

namespace EventSsm.Bench;

/// <summary>
/// Where ONNX Runtime spends a streaming frame: the benchmark's random model exported as the stream graph, run with
/// ONNX Runtime's own profiler (the session options of <c>OnnxDetector</c>), node times summed per operator type and
/// per model part (the first segments of the node name), and the slowest nodes.
/// <c>dotnet bench/EventSsm.Bench/bin/Release/net10.0/EventSsm.Bench.dll onnx-profile [--model small] [--threads 2]
/// [--frames 20] [--top 25] [--configs DIR] [override ...]</c>
/// </summary>
internal static class OnnxProfileTool
{
    public static void Run(string[] args)
    {
        string model = Value(args, "--model", "small");
        int threads = Int(args, "--threads", 2);
        int frames = Int(args, "--frames", 20);
        int top = Int(args, "--top", 25);
        string dir = Directory.CreateTempSubdirectory("eventssm-onnx-profile-").FullName;
        string path = Path.Combine(dir, "model.onnx");
        BenchmarkGraph.Export(Configs(args), model, Positional(args), path);

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            // The prefix first: setting EnableProfiling starts the profiler with the prefix it has at that moment.
            ProfileOutputPathPrefix = Path.Combine(dir, "ort"),
            EnableProfiling = true,
        };
        using var session = new InferenceSession(path, options);
        // Batch 1 for the dynamic batch axis; a fixed pattern as the window and the states.
        var inputs = session.InputMetadata.Select(kv =>
        {
            int[] dims = kv.Value.Dimensions.Select(d => Math.Max(d, 1)).ToArray();
            float[] data = Enumerable.Range(0, dims.Aggregate(1, (a, d) => a * d)).Select(i => (i % 7) * 0.5f).ToArray();
            return NamedOnnxValue.CreateFromTensor(kv.Key, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(data, dims));
        }).ToList();
        for (int i = 0; i < frames; i++)
        {
            using var results = session.Run(inputs);
        }
        string profile = session.EndProfiling();

        var byOp = new Dictionary<string, (double Us, int Count)>();
        var byPart = new Dictionary<string, double>();
        var byNode = new Dictionary<string, (string Op, double Us)>();
        var shapes = new Dictionary<string, string>();
        double total = 0;
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(profile)))
        {
            foreach (JsonElement e in doc.RootElement.EnumerateArray())
            {
                if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
                {
                    continue;
                }
                double us = e.GetProperty("dur").GetDouble();
                string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                string name = e.GetProperty("name").GetString()!;
                string[] segments = name.Split(['.', '/'], StringSplitOptions.RemoveEmptyEntries);
                string part = string.Join('.', segments.Take(Math.Min(3, segments.Length - 1)));
                byOp[op] = (byOp.GetValueOrDefault(op).Us + us, byOp.GetValueOrDefault(op).Count + 1);
                byPart[part] = byPart.GetValueOrDefault(part) + us;
                string node = name[..^"_kernel_time".Length];
                byNode[node] = (op, byNode.GetValueOrDefault(node).Us + us);
                if (e.GetProperty("args").TryGetProperty("input_type_shape", out JsonElement inputShapes))
                {
                    // [{"float":[1,80,384]}, ...]: the input shapes, which tell a batched attention product from a linear.
                    shapes[node] = string.Join(" ", inputShapes.EnumerateArray().SelectMany(t => t.EnumerateObject())
                        .Select(p => "[" + string.Join(",", p.Value.EnumerateArray().Select(d => d.GetInt64())) + "]"));
                }
                total += us;
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model}, {threads} threads, {frames} frames: {total / 1000 / frames:F1} ms of kernels per frame"));
        Console.WriteLine($"{"operator",-28} {"ms/frame",9} {"%",6} {"nodes/frame",12}");
        foreach ((string op, (double us, int count)) in byOp.OrderByDescending(kv => kv.Value.Us).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{op,-28} {us / 1000 / frames,9:F2} {100 * us / total,6:F1} {count / (double)frames,12:F0}"));
        }
        Console.WriteLine($"{"model part (node name)",-48} {"ms/frame",9}");
        foreach ((string part, double us) in byPart.OrderByDescending(kv => kv.Value).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{part,-48} {us / 1000 / frames,9:F2}"));
        }
        Console.WriteLine($"{"slowest nodes",-72} {"operator",-20} {"ms/frame",9}  input shapes");
        foreach ((string node, (string op, double us)) in byNode.OrderByDescending(kv => kv.Value.Us).Take(top))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{node,-72} {op,-20} {us / 1000 / frames,9:F2}  {shapes.GetValueOrDefault(node, "")}"));
        }
        Directory.Delete(dir, recursive: true);
    }
}
