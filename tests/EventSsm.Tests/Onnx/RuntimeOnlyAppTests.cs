using System.Diagnostics;
using System.Globalization;
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
/// A deployed application: the README's streaming example (README "Deploy with ONNX", the same text as the
/// EventSsm.Runtime package README), built as a console program against EventSsm.Runtime alone, runs a recording through
/// an exported model with no TorchSharp or libtorch in its output folder, and prints the boxes the in-process ONNX
/// streaming detector finds.
/// </summary>
public sealed class RuntimeOnlyAppTests
{
    [Fact]
    public void ReadmeStreamingExample_OnTheRuntimeAssemblyAlone_RunsARecordingThroughAnExportedModel()
    {
        using TempDir tmp = Fixtures.TempDir();
        string root = RepoRoot();
        string example = CSharpBlock(Path.Combine(root, "README.md"), "Streaming detection with the runtime assembly only");
        Assert.Equal(example, CSharpBlock(Path.Combine(root, "src", "EventSsm.Runtime", "README.md"), "Export a model"));
        Assert.True(example.Split('\n').Length <= 20, "the example should stay short");

        string app = Directory.CreateDirectory(tmp.File("app")).FullName;
        ConfigNode cfg = TestConfigs.Micro("val", "model.backbone.s5.state_mode=carry");
        ConfigModifier.Apply(cfg);
        using (var model = new YoloXDetector(DetectorOptions.FromConfig(cfg)))
        {
            Assert.True(DetectorCheckpoint.Load(model, Fixtures.DetectorMicro.Checkpoint).IsExact);
            model.eval();
            OnnxExporter.Export(model, cfg, Path.Combine(app, "model.onnx"), new OnnxExportOptions());
        }
        // The example opens recording.raw: the first 0.32 s of the synthetic recording as EVT 2.0.
        EventArray all = DatFile.ReadAll(Fixtures.Events.SynthDat);
        EventArray events = all.Slice(0, all.UpperBound(320_000));
        using (FileStream raw = File.Create(Path.Combine(app, "recording.raw")))
        using (var writer = new Evt2Writer(raw, events.Width, events.Height))
        {
            writer.Write(events);
        }

        string runtimeProject = Path.Combine(root, "src", "EventSsm.Runtime", "EventSsm.Runtime.csproj");
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <InvariantGlobalization>true</InvariantGlobalization>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{runtimeProject}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), example);
        string output = Path.Combine(app, "out");
        Run("dotnet", app, "build", "-c", "Release", "-o", output, "-nodeReuse:false", "-p:UseSharedCompilation=false");
        string[] shipped = Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray()!;
        Assert.Contains("EventSsm.Runtime.dll", shipped);
        Assert.Contains("libonnxruntime.so", shipped);
        Assert.DoesNotContain(shipped, f => f.Contains("TorchSharp", StringComparison.OrdinalIgnoreCase)
            || f.Contains("libtorch", StringComparison.OrdinalIgnoreCase) || f == "EventSsm.dll");

        string[] printed = Run("dotnet", app, Path.Combine(output, "App.dll")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // The same recording through the in-process ONNX streaming detector, printed as the example prints.
        using var detector = new StreamingDetector(OnnxDetectorBackend.Open(Path.Combine(app, "model.onnx")),
            new StreamingOptions { StepUs = 50_000, WindowUs = 50_000 }, ownsBackend: true);
        var expected = new List<string>();
        using (IEventReader reader = EventRecording.Open(Path.Combine(app, "recording.raw")))
        {
            foreach (EventArray chunk in EventWindows.ByDuration(reader, 50_000))
            {
                foreach (WindowDetections w in detector.Push(chunk))
                {
                    expected.AddRange(w.Boxes.Select(b => string.Create(CultureInfo.InvariantCulture,
                        $"{w.EndUs} µs: class {b.ClassId} at ({b.X}, {b.Y}) {b.W}×{b.H}, {b.ClassConfidence:F2}")));
                }
            }
        }
        Assert.NotEmpty(expected);
        Assert.Equal(expected, printed);
    }

    /// <summary>The first ```csharp block after the line that contains <paramref name="marker"/>.</summary>
    private static string CSharpBlock(string markdown, string marker)
    {
        string text = File.ReadAllText(markdown);
        int at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{markdown}: no '{marker}'");
        int start = text.IndexOf("```csharp\n", at, StringComparison.Ordinal) + "```csharp\n".Length;
        int end = text.IndexOf("```", start, StringComparison.Ordinal);
        return text[start..end];
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
        string output = stdout.GetAwaiter().GetResult();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{output}{stderr.GetAwaiter().GetResult()}");
        return output;
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
