using ArchUnitNET.Domain;
using ArchUnitNET.Domain.Dependencies;
using ArchUnitNET.Fluent.Slices;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using EventSsm.Cli;
using EventSsm.Events;
using EventSsm.Model;

namespace EventSsm.Tests.Architecture;

/// <summary>
/// The dependency rule of docs/ARCHITECTURE.md: namespaces follow the data path and depend only downwards. Dependencies
/// are read from the compiled IL (fields, signatures, method bodies, attributes), not from <c>using</c> lines.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>
    /// The layers, low to high (docs/ARCHITECTURE.md "Layers"). A namespace may use its own layer and the ones below;
    /// namespaces of one layer may use each other as long as there is no cycle. A new folder must be added here.
    /// </summary>
    private static readonly string[][] s_layers =
    [
        ["IO", "IO.Numpy", "IO.Hdf5", "Config", "Export.Proto"],
        ["Events", "Labels"],
        ["Representations", "Tensors"],
        ["Evaluation", "Rendering", "Rendering.Viewer", "Synthetic", "Detections"],
        ["Datasets", "Streaming", "Onnx"],
        ["Model.Ssm"],
        ["Model.Backbone", "Model.Neck", "Model.Head"],
        ["Model"],
        ["Checkpoints", "Checkpoints.Pickle"],
        ["Training", "Inference", "Export"],
        ["Workflows.Demo", "Workflows.Frequency", "Workflows.Benchmarks", "Workflows.Prediction", "Workflows.Inspection",
            "Workflows.Examples", "Workflows.Parity"],
        ["Cli", "Cli.Commands"],
    ];

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> s_architecture = new(() => new ArchLoader()
        .LoadAssemblies(typeof(EventArray).Assembly, typeof(YoloXDetector).Assembly, typeof(Program).Assembly)
        .Build());

    private static readonly Dictionary<string, int> s_layerOf = s_layers
        .SelectMany((names, i) => names.Select(n => ("EventSsm." + n, i)))
        .ToDictionary(p => p.Item1, p => p.i);

    [Fact]
    public void EveryNamespaceHasALayer()
    {
        string[] unknown = OwnTypes().Select(t => t.Namespace.FullName).Distinct()
            .Where(ns => !s_layerOf.ContainsKey(ns)).Order(StringComparer.Ordinal).ToArray();
        Assert.True(unknown.Length == 0, "namespaces missing from the layer table: " + string.Join(", ", unknown));
    }

    [Fact]
    public void NoNamespaceDependsOnAHigherLayer()
    {
        string[] violations = OwnTypes()
            .SelectMany(t => t.Dependencies)
            .Where(d => IsOwn(d.Target) && Layer(d.Target) > Layer(d.Origin))
            .Select(d => $"{d.Origin.FullName} -> {d.Target.FullName}")
            .Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.True(violations.Length == 0, "dependencies pointing up the data path:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void NamespacesAreFreeOfCycles()
    {
        SliceRuleDefinition.Slices().Matching("EventSsm.(**)").Should().BeFreeOfCycles().Check(s_architecture.Value);
    }

    [Fact]
    public void RuntimeAssemblyDoesNotReferenceTorchSharp()
    {
        string[] references = typeof(EventArray).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();
        Assert.DoesNotContain(references, r => r.StartsWith("TorchSharp", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("EventSsm", StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyTheCliReferencesSpectreConsole()
    {
        foreach (System.Reflection.Assembly library in new[] { typeof(EventArray).Assembly, typeof(YoloXDetector).Assembly })
        {
            Assert.DoesNotContain(library.GetReferencedAssemblies(), a => a.Name == "Spectre.Console");
        }
    }

    private static IEnumerable<IType> OwnTypes() => s_architecture.Value.Types
        .Where(IsOwn)
        .Where(t => !t.Name.StartsWith('<'));   // compiler-generated holders (<PrivateImplementationDetails> etc.)

    private static bool IsOwn(IType type) => type.Namespace?.FullName is string ns   // generic parameters have none
        && ns.StartsWith("EventSsm.", StringComparison.Ordinal)
        && !ns.StartsWith("EventSsm.Tests", StringComparison.Ordinal)
        && !ns.StartsWith("EventSsm.Bench", StringComparison.Ordinal);

    private static int Layer(IType type) =>
        s_layerOf.TryGetValue(type.Namespace.FullName, out int layer) ? layer : int.MaxValue;
}
