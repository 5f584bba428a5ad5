using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;
using EventSsm.Model;
using EventSsm.Model.Backbone;
using EventSsm.Model.Head;
using EventSsm.Model.Ssm;
using EventSsm.Training;
using EventSsm.Workflows.Benchmarks;
using static TorchSharp.torch;
using static EventSsm.Bench.ToolArgs;

namespace EventSsm.Bench;

/// <summary>
/// Where the time of the detector goes: a streaming frame (L = 1, state carried, as <c>StreamingDetector</c>) and the
/// benchmark's training step (B·L frames, 3 boxes per frame, YOLOX loss, backward, AdamW), split into phases and,
/// inside the forward, into module types (self time, by forward hooks on every module called through <c>call</c>).
/// TorchSharp exposes no libtorch profiler, so the backward is one number here; <c>perf record</c> on
/// <c>profile --frames 0</c> splits it by kernel (docs/PERFORMANCE.md).
/// </summary>
/// <remarks>
/// Times are the calling thread's CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>): with <c>--threads 1</c> every kernel runs
/// on that thread, so the numbers hold on a machine shared with other jobs, where wall time does not. Wall time and
/// process CPU time are printed too. Tensor counts are TorchSharp's dispose-scope statistics (tensors created).
/// <c>dotnet bench/EventSsm.Bench/bin/Release/net10.0/EventSsm.Bench.dll profile [--model small] [--threads 1]
/// [--frames 20] [--steps 3] [--warmup 2] [--length 5] [--batch 2] [--height 256] [--width 320] [--configs DIR]
/// [--top 25] [--memory] [--split] [override ...]</c>
/// </remarks>
internal static class ModelProfileTool
{
    public static void Run(string[] args)
    {
        string model = Value(args, "--model", "small");
        int threads = Int(args, "--threads", 1);
        int frames = Int(args, "--frames", 20);
        int steps = Int(args, "--steps", 3);
        int warmup = Int(args, "--warmup", 2);
        int length = Int(args, "--length", 5);
        int batch = Int(args, "--batch", 2);
        int height = Int(args, "--height", 256);
        int width = Int(args, "--width", 320);
        int top = Int(args, "--top", 25);
        bool memory = args.Contains("--memory");
        bool split = args.Contains("--split");
        string configs = Configs(args);
        string[] overrides = Positional(args, "--memory", "--split");

        torch.set_num_threads(threads);
        manual_seed(0);
        using YoloXDetector detector = DetectorBenchmark.CreateModel(configs, model, height, width, overrides: overrides);
        Console.WriteLine($"{model}, {detector.ParameterCount() / 1e6:F2} M parameters, input {detector.Options.InputHeight}x{detector.Options.InputWidth}, " +
            $"{torch.get_num_threads()} threads; load {LoadAverage()}");
        var profiler = new HookProfiler(detector) { TrackMemory = memory };
        Console.WriteLine($"RSS after building the model: {CurrentRss() / (1024 * 1024)} MiB");
        if (frames > 0)
        {
            ProfileStreaming(detector, profiler, frames, warmup, top);
        }
        if (steps > 0)
        {
            ProfileTrainStep(detector, profiler, steps, warmup, length, batch, top, split);
        }
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"peak working set {process.PeakWorkingSet64 / (1024 * 1024)} MiB; load {LoadAverage()}");
    }

    private static void ProfileStreaming(YoloXDetector detector, HookProfiler profiler, int frames, int warmup, int top)
    {
        detector.eval();
        long channels = detector.Options.Backbone.InputChannels;
        var phases = new PhaseClock();
        using (inference_mode())
        {
            using Tensor x = rand([1, 1, channels, detector.Options.InputHeight, detector.Options.InputWidth], generator: new Generator(1)) * 4;
            Tensor[]? states = null;
            for (int i = 0; i < warmup + frames; i++)
            {
                bool timed = i >= warmup;
                profiler.Enabled = timed;
                phases.Enabled = timed;
                using DisposeScope scope = NewDisposeScope();
                phases.Start();
                (Tensor decoded, Tensor[] next) = detector.Forward(x, states, stateMode: S5StateMode.Carry);
                phases.Lap("forward", profiler);
                TensorPostprocess.Run(decoded, detector.Options.ConfidenceThreshold, detector.Options.NmsThreshold);
                phases.Lap("postprocess", profiler);
                foreach (Tensor s in next)
                {
                    s.DetachFromDisposeScope();
                }
                foreach (Tensor s in states ?? [])
                {
                    s.Dispose();
                }
                states = next;
            }
            foreach (Tensor s in states ?? [])
            {
                s.Dispose();
            }
        }
        profiler.Enabled = false;
        Console.WriteLine();
        Console.WriteLine($"== streaming frame (L = 1, carry), per frame over {frames} frames");
        phases.Print(frames);
        profiler.Print(frames, top);
        profiler.Reset();
    }

    private static void ProfileTrainStep(YoloXDetector detector, HookProfiler profiler, int steps, int warmup, int length, int batch, int top, bool split)
    {
        long frames = (long)length * batch;
        // The benchmark's step material (the input as the loader lays it out, its targets, AdamW); its parts timed here.
        using var step = new TrainingStepLoop(detector, length, batch, CPU);
        Tensor x = step.Input;
        Tensor targets = step.Targets;
        AdamWOptimizer optimizer = step.Optimizer;
        using IDisposable heap = HostHeap.KeepFreedMemory();
        var phases = new PhaseClock();
        long rssAfterForward = 0;
        for (int i = 0; i < warmup + steps; i++)
        {
            bool timed = i >= warmup;
            profiler.Enabled = timed;
            phases.Enabled = timed;
            using (DisposeScope scope = NewDisposeScope())
            {
                phases.Start();
                optimizer.ZeroGrad();
                phases.Lap("zero_grad", profiler);
                Tensor[] features = split ? ForwardBackboneByParts(detector, x, phases, profiler) : detector.ForwardBackbone(x).Features;
                phases.Lap("backbone forward", profiler);
                HeadOutputs outputs = detector.ForwardDetect(features);
                phases.Lap("fpn + head forward", profiler);
                YoloXLosses losses = YoloXLoss.Compute(outputs, targets, detector.NumClasses);
                phases.Lap("loss (SimOTA + terms)", profiler);
                rssAfterForward = Math.Max(rssAfterForward, CurrentRss());
                losses.Total.backward();
                phases.Lap("backward", profiler);
                optimizer.Step();
                phases.Lap("AdamW step", profiler);
            }
            phases.Lap("dispose step scope", profiler);
        }
        profiler.Enabled = false;
        detector.eval();
        Console.WriteLine();
        Console.WriteLine($"== training step B = {batch}, L = {length} ({frames} frames, 3 boxes each), per step over {steps} steps");
        phases.Print(steps);
        Console.WriteLine($"RSS after the forward and loss (activations held for backward): {rssAfterForward / (1024 * 1024)} MiB");
        profiler.Print(steps, top);
        profiler.Reset();
    }

    /// <summary>
    /// RecurrentStage.Forward step by step, so that the phases split the backbone (<c>--split</c>). The stage input goes
    /// through the stage's own frame reshaping when it has one (public static FramesChannelsLast), else reshape.
    /// </summary>
    private static Tensor[] ForwardBackboneByParts(YoloXDetector detector, Tensor x, PhaseClock phases, HookProfiler profiler)
    {
        MethodInfo? frames = typeof(RecurrentStage).GetMethod("FramesChannelsLast", BindingFlags.Public | BindingFlags.Static);
        Tensor input = x;
        var features = new Tensor[detector.Backbone.Stages.Count];
        for (int k = 0; k < features.Length; k++)
        {
            RecurrentStage stage = detector.Backbone.Stages[k];
            Tensor stageInput = frames is not null
                ? (Tensor)frames.Invoke(null, [input])!
                : input.reshape(input.shape[0] * input.shape[1], input.shape[2], input.shape[3], input.shape[4]);
            Tensor y = stage.Downsample.call(stageInput);
            phases.Lap(k == 0 ? "stem forward" : "downsample forward", profiler);
            foreach (MaxVitAttentionPairCl block in stage.AttentionBlocks)
            {
                y = block.call(y);
            }
            phases.Lap("attention forward", profiler);
            (features[k], _) = stage.ForwardTemporal(y, input.shape[0], null, detector.Backbone.Options.StepScale, detector.Backbone.Options.StateMode);
            phases.Lap("S5 forward", profiler);
            input = features[k];
        }
        return features;
    }

    private static long CurrentRss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }

    /// <summary>Thread CPU, wall and process CPU time and tensors created per named phase.</summary>
    private sealed class PhaseClock
    {
        private readonly Dictionary<string, (double Cpu, double Wall, double ProcessCpu, long Tensors, double Hooked, double Sys, long Faults, long PeakRss)> _totals = [];
        private readonly List<string> _order = [];
        private double _cpu;
        private long _wall;
        private TimeSpan _processCpu;
        private long _tensors;
        private (double SystemMs, long MinorFaults) _kernel;

        public bool Enabled { get; set; }

        public void Start()
        {
            _cpu = ThreadCpu.Ms();
            _wall = Stopwatch.GetTimestamp();
            _processCpu = Process.GetCurrentProcess().TotalProcessorTime;
            _tensors = TensorsCreated();
            _kernel = ThreadCpu.Kernel();
            ResetPeakRss();
        }

        public void Lap(string phase, HookProfiler profiler)
        {
            double cpu = ThreadCpu.Ms();
            long wall = Stopwatch.GetTimestamp();
            TimeSpan processCpu = Process.GetCurrentProcess().TotalProcessorTime;
            long tensors = TensorsCreated();
            (double SystemMs, long MinorFaults) kernel = ThreadCpu.Kernel();
            double hooked = profiler.TakeTopLevel();
            if (Enabled)
            {
                if (!_totals.ContainsKey(phase))
                {
                    _order.Add(phase);
                    _totals[phase] = default;
                }
                var t = _totals[phase];
                _totals[phase] = (t.Cpu + cpu - _cpu, t.Wall + Stopwatch.GetElapsedTime(_wall, wall).TotalMilliseconds,
                    t.ProcessCpu + (processCpu - _processCpu).TotalMilliseconds, t.Tensors + tensors - _tensors, t.Hooked + hooked,
                    t.Sys + kernel.SystemMs - _kernel.SystemMs, t.Faults + kernel.MinorFaults - _kernel.MinorFaults,
                    Math.Max(t.PeakRss, PeakRss()));
            }
            _kernel = kernel;
            ResetPeakRss();
            _cpu = cpu;
            _wall = wall;
            _processCpu = processCpu;
            _tensors = tensors;
        }

        public void Print(int n)
        {
            Console.WriteLine($"{"phase",-26} {"thread CPU ms",14} {"of it sys",10} {"wall ms",10} {"process CPU ms",15} {"tensors",9} {"page faults",12} {"in modules ms",14} {"peak RSS MiB",13}");
            double sumCpu = 0, sumWall = 0, sumProc = 0, sumSys = 0;
            long sumTensors = 0, sumFaults = 0;
            foreach (string p in _order)
            {
                var t = _totals[p];
                sumCpu += t.Cpu;
                sumWall += t.Wall;
                sumProc += t.ProcessCpu;
                sumTensors += t.Tensors;
                sumSys += t.Sys;
                sumFaults += t.Faults;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{p,-26} {t.Cpu / n,14:F1} {t.Sys / n,10:F1} {t.Wall / n,10:F1} {t.ProcessCpu / n,15:F1} {t.Tensors / n,9} {t.Faults / n,12} {t.Hooked / n,14:F1} {t.PeakRss >> 20,13}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"total",-26} {sumCpu / n,14:F1} {sumSys / n,10:F1} {sumWall / n,10:F1} {sumProc / n,15:F1} {sumTensors / n,9} {sumFaults / n,12}"));
        }

        /// <summary>Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM) to the current one.</summary>
        private static void ResetPeakRss()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private static long PeakRss()
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
            return 0;
        }

        private static long TensorsCreated()
        {
            LifetimeStatistics s = DisposeScopeManager.Statistics.TensorStatistics;
            return s.CreatedInScopeCount + s.CreatedOutsideScopeCount;
        }
    }

    /// <summary>
    /// Self time per module (thread CPU) through forward pre/post hooks: a module's time minus that of the hooked
    /// modules it calls. Keys: the module type, and the module's path with indices replaced by <c>*</c>.
    /// </summary>
    private sealed class HookProfiler
    {
        private readonly Stack<(double Start, double Children, long Rss, long ChildRss)> _stack = new();
        private readonly Dictionary<nn.Module, (string Type, string Path)> _names = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, (double Self, long Calls)> _byType = [];
        private readonly Dictionary<string, (double Self, long Calls)> _byPath = [];
        private readonly Dictionary<string, long> _rssByPath = [];
        private double _topLevel;

        public HookProfiler(nn.Module model)
        {
            foreach ((string name, nn.Module m) in model.named_modules())
            {
                if (m.GetType().Name is "Identity" or "Dropout")
                {
                    continue;
                }
                _names[m] = (m.GetType().Name, Regex.Replace(name, @"\.\d+(?=\.|$)", ".*"));
                Register(m, "register_forward_pre_hook", Pre);
                Register(m, "register_forward_hook", Post);
            }
        }

        public bool Enabled { get; set; }

        /// <summary>Also attributes resident-memory growth to modules (reads /proc/self/statm twice per call).</summary>
        public bool TrackMemory { get; set; }

        /// <summary>Time spent in top-level hooked modules since the last call.</summary>
        public double TakeTopLevel()
        {
            double t = _topLevel;
            _topLevel = 0;
            return t;
        }

        public void Reset()
        {
            _byType.Clear();
            _byPath.Clear();
            _rssByPath.Clear();
            _topLevel = 0;
        }

        public void Print(int n, int top)
        {
            double total = _byType.Values.Sum(v => v.Self);
            Console.WriteLine($"-- module self time (thread CPU, per iteration), {total / n:F1} ms in hooked modules");
            Console.WriteLine($"{"module type",-34} {"ms",9} {"%",6} {"calls",7}");
            foreach ((string k, (double self, long calls)) in _byType.OrderByDescending(kv => kv.Value.Self).Take(top))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k,-34} {self / n,9:F2} {100 * self / total,6:F1} {calls / n,7}"));
            }
            Console.WriteLine($"{"module path",-70} {"ms",9} {"calls",7}");
            foreach ((string k, (double self, long calls)) in _byPath.OrderByDescending(kv => kv.Value.Self).Take(top))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k,-70} {self / n,9:F2} {calls / n,7}"));
            }
            if (_rssByPath.Count > 0)
            {
                Console.WriteLine($"-- resident memory growth (self, per iteration), {_rssByPath.Values.Sum() / n / (1 << 20)} MiB in hooked modules");
                foreach ((string k, long bytes) in _rssByPath.OrderByDescending(kv => kv.Value).Take(top))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{k,-70} {bytes / n / (1 << 20),9} MiB"));
                }
            }
        }

        private void Pre(nn.Module m)
        {
            if (Enabled)
            {
                _stack.Push((ThreadCpu.Ms(), 0, TrackMemory ? Rss() : 0, 0));
            }
        }

        private void Post(nn.Module m)
        {
            if (!Enabled || _stack.Count == 0)
            {
                return;
            }
            (double start, double children, long rss, long childRss) = _stack.Pop();
            double inclusive = ThreadCpu.Ms() - start;
            double self = inclusive - children;
            (string type, string path) = _names[m];
            Add(_byType, type, self);
            Add(_byPath, path, self);
            long rssInclusive = TrackMemory ? Rss() - rss : 0;
            if (TrackMemory)
            {
                _rssByPath[path] = _rssByPath.GetValueOrDefault(path) + rssInclusive - childRss;
            }
            if (_stack.Count > 0)
            {
                (double s, double c, long r, long cr) = _stack.Pop();
                _stack.Push((s, c + inclusive, r, cr + rssInclusive));
            }
            else
            {
                _topLevel += inclusive;
            }
        }

        private static long Rss()
        {
            // statm: size resident shared text lib data dt, in pages.
            string[] f = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(f[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }

        private static void Add(Dictionary<string, (double Self, long Calls)> d, string key, double self)
        {
            d.TryGetValue(key, out var v);
            d[key] = (v.Self + self, v.Calls + 1);
        }

        private static void Register(nn.Module m, string method, Action<nn.Module> hook)
        {
            // HookableModule<T, TResult> is generic over the module's signature; its Action<Module> overload is not.
            MethodInfo? register = m.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(mi => mi.Name == method && mi.GetParameters() is [{ ParameterType: var p }] && p == typeof(Action<nn.Module>));
            register?.Invoke(m, [hook]);
        }
    }

    private static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct Rusage
        {
            public long UserSeconds;
            public long UserMicroseconds;
            public long SystemSeconds;
            public long SystemMicroseconds;
            public long MaxRss;
            public long Ixrss;
            public long Idrss;
            public long Isrss;
            public long MinorFaults;
            public long MajorFaults;
            public long Swaps;
            public long BlocksIn;
            public long BlocksOut;
            public long MessagesSent;
            public long MessagesReceived;
            public long Signals;
            public long VoluntarySwitches;
            public long InvoluntarySwitches;
        }

        private const int RusageThread = 1;

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out Timespec time);

        [DllImport("libc", EntryPoint = "getrusage")]
        private static extern int GetRusage(int who, out Rusage usage);

        /// <summary>The calling thread's system (kernel) CPU time in ms and its minor page faults.</summary>
        public static (double SystemMs, long MinorFaults) Kernel()
        {
            GetRusage(RusageThread, out Rusage u);
            return ((u.SystemSeconds * 1e3) + (u.SystemMicroseconds / 1e3), u.MinorFaults);
        }

        public static double Ms()
        {
            ClockGetTime(ClockThreadCpuTimeId, out Timespec t);
            return (t.Seconds * 1e3) + (t.Nanoseconds / 1e6);
        }
    }
}
