using BenchmarkDotNet.Running;

namespace EventSsm.Bench;

public static class Program
{
    /// <summary>
    /// Tools that measure the whole process (peak RSS, thread CPU, phases of the VM) and so cannot run inside
    /// BenchmarkDotNet's harness, by their first argument; anything else goes to BenchmarkDotNet.
    /// </summary>
    private static readonly Dictionary<string, Action<string[]>> Tools = new(StringComparer.Ordinal)
    {
        ["raw-memory"] = RawMemoryTool.Run,
        ["hdf5-memory"] = Hdf5MemoryTool.Run,
        ["loader"] = LoaderThroughputTool.Run,
        ["onnx-profile"] = OnnxProfileTool.Run,
        ["onnx-export"] = OnnxAbTool.Export,
        ["onnx-ab"] = OnnxAbTool.Run,
        ["vm-phases"] = VmPhaseTool.Run,
        ["train-ab"] = TrainAbTool.Run,
        ["attention-micro"] = AttentionMicroTool.Run,
        ["profile"] = ModelProfileTool.Run,
        ["frame-parts"] = FramePartsTool.Run,
        ["input-layout"] = InputLayoutTool.Run,
    };

    public static void Main(string[] args)
    {
        if (args is [string name, .. var rest] && Tools.TryGetValue(name, out Action<string[]>? tool))
        {
            try
            {
                tool(rest);
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or FormatException)
            {
                // A wrong path or argument: one line naming it, as the CLI does.
                Console.Error.WriteLine($"error: {e.Message}");
                Environment.ExitCode = 1;
            }
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
