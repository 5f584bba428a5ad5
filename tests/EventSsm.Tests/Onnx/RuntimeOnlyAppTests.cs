using System.Diagnostics;
using EventSsm.Checkpoints;
using EventSsm.Config;
using EventSsm.Events;
using EventSsm.Export;
using EventSsm.Labels;
using EventSsm.Model;
using EventSsm.Onnx;
using EventSsm.Streaming;

namespace EventSsm.Tests.Onnx;

/// <summary>
/// A deployed application: a tiny console program built against EventSsm.Runtime alone runs a recording through an
/// exported model and writes Prophesee boxes, with no TorchSharp or libtorch in its output folder, and the boxes equal
/// the in-process ONNX streaming detector's.
/// </summary>
public sealed class RuntimeOnlyAppTests
{
    private const string Program = """
        using EventSsm.Events;
        using EventSsm.Labels;
        using EventSsm.Onnx;
        using EventSsm.Streaming;

        // args: model.onnx recording out_bbox.npy
        using var detector = new StreamingDetector(OnnxDetectorBackend.Open(args[0], new OnnxSessionSettings(Threads: 1)),
            new StreamingOptions { ConfidenceThreshold = 0.01 }, ownsBackend: true);
        var boxes = new List<BoundingBox>();
        using (IEventReader reader = EventRecording.Open(args[1]))
        {
            foreach (EventArray chunk in EventWindows.ByDuration(reader, 50_000))
            {
                foreach (WindowDetections w in detector.Push(chunk))
                {
                    boxes.AddRange(w.Boxes);
                }
            }
        }
        foreach (WindowDetections w in detector.Flush())
        {
            boxes.AddRange(w.Boxes);
        }
        BoundingBoxFile.Write(args[2], boxes.ToArray());
        Console.WriteLine($"{boxes.Count} boxes");
        """;

    [Fact]
    public void ConsoleAppOnTheRuntimeAssembly_RunsARecordingThroughAnExportedModel_WithoutTorchSharp()
    {
        using TempDir tmp = Fixtures.TempDir();
        string runtimeProject = Path.Combine(RepoRoot(), "src", "EventSsm.Runtime", "EventSsm.Runtime.csproj");
        ConfigNode cfg = TestConfigs.Micro("val", "model.backbone.s5.state_mode=carry");
        ConfigModifier.Apply(cfg);
        using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            Assert.True(DetectorCheckpoint.Load(model, Fixtures.DetectorMicro.Checkpoint).IsExact);
            model.eval();
            OnnxExporter.Export(model, cfg, tmp.File("model.onnx"), new OnnxExportOptions());
        }
        EventArray all = DatFile.ReadAll(Fixtures.Events.SynthDat);
        DatFile.Write(tmp.File("rec_td.dat"), all.Slice(0, all.UpperBound(320_000)));

        string app = Directory.CreateDirectory(tmp.File("app")).FullName;
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{runtimeProject}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        string output = Path.Combine(app, "out");
        Run("dotnet", app, "build", "-c", "Release", "-o", output, "-nodeReuse:false", "-p:UseSharedCompilation=false");
        string[] shipped = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray()!;
        Assert.Contains("EventSsm.Runtime.dll", shipped);
        Assert.Contains("libonnxruntime.so", shipped);
        Assert.DoesNotContain(shipped, f => f.Contains("TorchSharp", StringComparison.OrdinalIgnoreCase)
            || f.Contains("libtorch", StringComparison.OrdinalIgnoreCase) || f == "EventSsm.dll");

        string printed = Run("dotnet", app, Path.Combine(output, "App.dll"), tmp.File("model.onnx"), tmp.File("rec_td.dat"), tmp.File("app_bbox.npy"));
        BoundingBox[] boxes = BoundingBoxFile.Read(tmp.File("app_bbox.npy"));
        Assert.NotEmpty(boxes);
        Assert.Contains($"{boxes.Length} boxes", printed);

        // The same recording through the in-process ONNX streaming detector.
        using var detector = new StreamingDetector(OnnxDetectorBackend.Open(tmp.File("model.onnx")), new StreamingOptions { ConfidenceThreshold = 0.01 }, ownsBackend: true);
        var expected = new List<BoundingBox>();
        using (IEventReader reader = EventRecording.Open(tmp.File("rec_td.dat")))
        {
            foreach (EventArray chunk in EventWindows.ByDuration(reader, 50_000))
            {
                expected.AddRange(detector.Push(chunk).SelectMany(w => w.Boxes));
            }
        }
        expected.AddRange(detector.Flush().SelectMany(w => w.Boxes));
        Assert.Equal(expected, boxes);
    }

    private static string Run(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(8)), $"{file} {string.Join(' ', args)} timed out");
        string text = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{text}");
        return text;
    }

    /// <summary>The repository root: the first folder above the test assembly that holds EventSsm.sln.</summary>
    private static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "EventSsm.sln")))
            {
                return d.FullName;
            }
        }
        throw new DirectoryNotFoundException("EventSsm.sln not found above the test assembly");
    }
}
