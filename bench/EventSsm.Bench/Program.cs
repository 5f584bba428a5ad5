using BenchmarkDotNet.Running;

namespace EventSsm.Bench;

public static class Program
{
    public static void Main(string[] args)
    {
        // Tools that measure the whole process (peak RSS) cannot run inside BenchmarkDotNet's harness.
        if (args is ["raw-memory", .. var rest])
        {
            RawMemoryTool.Run(rest);
            return;
        }
        if (args is ["hdf5-memory", .. var hdf5Args])
        {
            Hdf5MemoryTool.Run(hdf5Args);
            return;
        }
        if (args is ["loader", .. var loaderArgs])
        {
            LoaderThroughputTool.Run(loaderArgs);
            return;
        }
        if (args is ["onnx-profile", .. var onnxProfileArgs])
        {
            OnnxProfileTool.Run(onnxProfileArgs);
            return;
        }
        if (args is ["onnx-export", .. var exportArgs])
        {
            OnnxAbTool.Export(exportArgs);
            return;
        }
        if (args is ["onnx-ab", .. var abArgs])
        {
            OnnxAbTool.Run(abArgs);
            return;
        }
        if (args is ["vm-phases", .. var phaseArgs])
        {
            VmPhaseTool.Run(phaseArgs);
            return;
        }
        if (args is ["attention-micro", .. var microArgs])
        {
            AttentionMicroTool.Run(microArgs);
            return;
        }
        if (args is ["profile", .. var profileArgs])
        {
            ModelProfileTool.Run(profileArgs);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
