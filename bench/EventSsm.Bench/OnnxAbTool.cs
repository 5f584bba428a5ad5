using System.Globalization;
using EventSsm.Onnx;
using static EventSsm.Bench.ToolArgs;

namespace EventSsm.Bench;

/// <summary>
/// Two ONNX stream graphs against each other, for changes to the exporter: the same random window through both
/// (the largest difference of their head outputs), then streaming frames in alternating blocks, one block of each
/// per round, so that both see the same phase of a VM whose speed drifts; per round the block p50s and B/A.
/// <c>EventSsm.Bench.dll onnx-export OUT.onnx [--model small] [--configs DIR] [override ...]</c> writes the benchmark's
/// graph (<see cref="BenchmarkGraph"/>) with the exporter this tool was built from;
/// <c>EventSsm.Bench.dll onnx-ab A.onnx B.onnx [--rounds 12] [--frames 15] [--threads 2]</c> times two of them.
/// </summary>
internal static class OnnxAbTool
{
    public static void Export(string[] args)
    {
        string[] positional = Positional(args);
        if (positional.Length == 0)
        {
            throw new ArgumentException("usage: onnx-export OUT.onnx [--model small] [--configs DIR] [override ...]");
        }
        BenchmarkGraph.Export(Configs(args), Value(args, "--model", "small"), positional[1..], positional[0]);
        Console.WriteLine($"wrote {positional[0]}");
    }

    public static void Run(string[] args)
    {
        string[] paths = Positional(args);
        if (paths.Length != 2)
        {
            throw new ArgumentException("usage: onnx-ab A.onnx B.onnx [--rounds 12] [--frames 15] [--threads 2]");
        }
        int rounds = Int(args, "--rounds", 12);
        int frames = Int(args, "--frames", 15);
        var settings = new OnnxSessionSettings(Int(args, "--threads", 2));
        using OnnxDetector a = OnnxDetector.Open(paths[0], settings);
        using OnnxDetector b = OnnxDetector.Open(paths[1], settings);
        OnnxModelInfo info = a.Info;
        var random = new Random(1);
        float[] window = [.. Enumerable.Range(0, info.Channels * info.InputHeight * info.InputWidth).Select(_ => 4 * random.NextSingle())];
        float[] headA = a.Step(window);
        float[] headB = b.Step(window);
        double diff = headA.Zip(headB, (x, y) => Math.Abs(x - y)).Max();
        Console.WriteLine(Invariant($"max |head B − head A| {diff:G3} (max |head A| {headA.Max(Math.Abs):G4}); load {LoadAverage()}"));
        double median = BlockTimer.AlternatingRounds(() => a.Step(window), () => b.Step(window), rounds, frames, "F1");
        Console.WriteLine(Invariant($"median B/A over {rounds} rounds: {median:F3}; load {LoadAverage()}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
