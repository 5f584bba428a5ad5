using System.Globalization;
using EventSsm.Model;
using EventSsm.Training;
using EventSsm.Workflows.Benchmarks;
using static EventSsm.Bench.ToolArgs;
using static TorchSharp.torch;

namespace EventSsm.Bench;

/// <summary>
/// Two training configurations against each other in one process: the benchmark's training step
/// (<see cref="TrainingStepLoop"/>) on two models built from the same seed, A with the positional overrides and B with
/// them plus <c>--b</c>'s, in alternating blocks of steps, so that both see the same phase of a VM whose speed drifts
/// (docs/PERFORMANCE.md "Alternating blocks (2026-12-07, sixth session)"). Prints the first step's losses (equal up to
/// rounding when B only changes how the same values are computed), per round each block's p50 and B/A, and the
/// median B/A.
/// <c>EventSsm.Bench.dll train-ab --b "OVERRIDE ..." [--model small] [--rounds 6] [--steps 2] [--length 5] [--batch 2]
/// [--height 256] [--width 320] [--configs DIR] [override ...]</c>
/// </summary>
internal static class TrainAbTool
{
    public static void Run(string[] args)
    {
        string[] overridesB = Value(args, "--b", "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (overridesB.Length == 0)
        {
            throw new ArgumentException("usage: train-ab --b \"OVERRIDE ...\" (space-separated, no spaces inside a value) [--model small] [--rounds 6] [--steps 2] [--length 5] [--batch 2] [override ...]");
        }
        string[] common = Positional(args);
        string configs = Configs(args);
        string name = Value(args, "--model", "small");
        int rounds = Count(args, "--rounds", 6);
        int steps = Count(args, "--steps", 2);
        int length = Count(args, "--length", 5);
        int batch = Count(args, "--batch", 2);
        int height = Int(args, "--height", 256);
        int width = Int(args, "--width", 320);
        set_num_threads(2);
        manual_seed(0);
        using YoloXDetector modelA = DetectorBenchmark.CreateModel(configs, name, height, width, overrides: common);
        manual_seed(0);
        using YoloXDetector modelB = DetectorBenchmark.CreateModel(configs, name, height, width, overrides: [.. common, .. overridesB]);
        using var a = new TrainingStepLoop(modelA, length, batch, CPU);
        using var b = new TrainingStepLoop(modelB, length, batch, CPU);
        using IDisposable heap = HostHeap.KeepFreedMemory();
        Console.WriteLine(Invariant($"first step's loss: A {a.Step():G7}, B {b.Step():G7}; B: {string.Join(' ', overridesB)}; load {LoadAverage()}"));
        double median = BlockTimer.AlternatingRounds(() => a.Step(), () => b.Step(), rounds, steps, "F0");
        Console.WriteLine(Invariant($"median B/A over {rounds} rounds: {median:F3}; load {LoadAverage()}"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
