using System.Globalization;
using TorchSharp;
using EventSsm.Model;
using EventSsm.Tensors;
using static TorchSharp.torch;
using static EventSsm.Bench.ToolArgs;

namespace EventSsm.Bench;

/// <summary>
/// The detector's input made channels-last, libtorch (A) against <see cref="NchwToNhwc"/> (B), in alternating rounds
/// (docs/PERFORMANCE.md "Tried and kept (ninth session)"): a benchmark frame's NCHW tensor (1, 20, 256, 320) copied to
/// NHWC (what the stem did with libtorch's permuted copy, against <see cref="ChannelsLast.Copy"/>), and a Gen1
/// window of <c>predict</c>, 20 × 240 × 304 floats from the caller, into a tensor, padded to 256 × 320 and copied to
/// NHWC, against <see cref="ChannelsLast.PaddedFrames"/>'s one copy. Inference mode, 2 threads.
/// <c>dotnet bench/EventSsm.Bench/bin/Release/net10.0/EventSsm.Bench.dll input-layout [--repeats 100] [--rounds 6]</c>
/// </summary>
internal static class InputLayoutTool
{
    public static void Run(string[] args)
    {
        int repeats = Count(args, "--repeats", 100);
        int rounds = Count(args, "--rounds", 6);
        torch.set_num_threads(2);
        using IDisposable inference = inference_mode();
        using Tensor frame = rand([1, 20, 256, 320], generator: new Generator(1)).mul(4.0);
        var random = new Random(2);
        float[] window = [.. Enumerable.Range(0, 20 * 240 * 304).Select(_ => (float)random.Next(0, 5))];

        Console.WriteLine("benchmark frame (1, 20, 256, 320) to NHWC: A libtorch's permuted copy, B ChannelsLast.Copy");
        double frameRatio = BlockTimer.AlternatingRounds(
            () => Dispose(frame.permute(0, 2, 3, 1).contiguous()),
            () => Dispose(ChannelsLast.Copy(frame)),
            rounds, repeats, "F3");
        Console.WriteLine("predict's Gen1 window (20 × 240 × 304 floats) to the padded NHWC input: A tensor, pad and "
            + "permuted copy, B ChannelsLast.PaddedFrames");
        double windowRatio = BlockTimer.AlternatingRounds(
            () =>
            {
                using DisposeScope scope = NewDisposeScope();
                InputPadder.Pad(tensor(window, [1, 1, 20, 240, 304]), 256, 320).permute(0, 1, 3, 4, 2).contiguous();
            },
            () => Dispose(ChannelsLast.PaddedFrames(window, 1, 20, 240, 304, 256, 320)),
            rounds, repeats, "F3");
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "median B/A: frame {0:F3}, predict window {1:F3}", frameRatio, windowRatio));
    }

    private static void Dispose(Tensor t) => t.Dispose();
}
