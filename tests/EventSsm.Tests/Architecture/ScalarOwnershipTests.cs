using System.Reflection;
using System.Reflection.Emit;
using EventSsm.Model;
using TorchSharp;

namespace EventSsm.Tests.Architecture;

/// <summary>
/// The rule of docs/ARCHITECTURE.md "Scalars": no number reaches a tensor operation as a temporary
/// <see cref="Scalar"/>. The test reads the IL of the library, of the CLI and of these tests: a method may neither
/// convert a number to a <see cref="Scalar"/> itself (implicit conversion, <c>ToScalar</c>) nor call a TorchSharp method
/// that does so inside (found by reading TorchSharp's own IL, following its non-virtual calls), except in
/// <c>EventSsm.Tensors.Scalars</c>, the one place that makes owned scalars.
/// </summary>
public sealed class ScalarOwnershipTests
{
    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void NoTemporaryScalars_InTheLibraryTheCliOrTheTests()
    {
        var scanner = new TorchSharpScalarMakers();
        var violations = new List<string>();
        foreach (Assembly assembly in new[] { typeof(YoloXDetector).Assembly, typeof(EventSsm.Cli.Program).Assembly, typeof(ScalarOwnershipTests).Assembly })
        {
            foreach (Type type in assembly.GetTypes())
            {
                if (Outer(type).FullName == "EventSsm.Tensors.Scalars")
                {
                    continue;
                }
                foreach (MethodBase method in MethodsOf(type))
                {
                    foreach (MethodBase callee in Callees(method))
                    {
                        if (scanner.MakesTemporaryScalar(callee))
                        {
                            violations.Add($"{Outer(type).FullName}.{method.Name} calls {callee.DeclaringType?.Name}.{callee.Name}" +
                                $"({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})");
                        }
                    }
                }
            }
        }
        Assert.True(violations.Count == 0,
            $"{violations.Count} calls make a temporary Scalar (docs/ARCHITECTURE.md \"Scalars\"; use EventSsm.Tensors.Scalars):\n" +
            string.Join("\n", violations.Distinct().Order()));
    }

    [Fact]
    public void TheScan_FindsTheKnownMakers_AndPassesTheSafeOverloads()
    {
        // The scan must see the cases that motivated the rule, or the test above could pass by not looking.
        var scanner = new TorchSharpScalarMakers();
        Type tensor = typeof(torch.Tensor);
        Assert.True(scanner.MakesTemporaryScalar(tensor.GetMethod("op_Addition", [tensor, tensor])!));
        Assert.True(scanner.MakesTemporaryScalar(tensor.GetMethod("op_Multiply", [tensor, typeof(double)])!));
        Assert.True(scanner.MakesTemporaryScalar(tensor.GetMethod("add", [tensor])!));
        Assert.False(scanner.MakesTemporaryScalar(tensor.GetMethod("add", [tensor, typeof(Scalar)])!));
        Assert.False(scanner.MakesTemporaryScalar(tensor.GetMethod("op_Multiply", [tensor, tensor])!));
        Assert.False(scanner.MakesTemporaryScalar(tensor.GetMethod("op_Multiply", [tensor, typeof(Scalar)])!));
    }

    private static Type Outer(Type type) => type.DeclaringType is { } outer ? Outer(outer) : type;

    private static IEnumerable<MethodBase> MethodsOf(Type type) => type
        .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
        .Cast<MethodBase>()
        .Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));

    /// <summary>The methods that <paramref name="method"/>'s IL calls (call, callvirt, newobj, ldftn).</summary>
    internal static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            OpCode op = s_opCodes[value];
            int size = OperandSize(op, il, i);
            if (op.OperandType == OperandType.InlineMethod)
            {
                int token = BitConverter.ToInt32(il, i);
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(token, typeArgs, methodArgs);
                }
                catch (ArgumentException)
                {
                    // A call on an open generic the scan cannot bind; none of TorchSharp's scalar makers is generic.
                }
                if (callee is not null)
                {
                    yield return callee;
                }
            }
            i += size;
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    /// <summary>
    /// TorchSharp methods that create a <see cref="Scalar"/> from a number inside their body, directly or through
    /// non-virtual calls into TorchSharp, and do not hand it back to the caller.
    /// </summary>
    private sealed class TorchSharpScalarMakers
    {
        private readonly Assembly _torchSharp = typeof(Scalar).Assembly;
        private readonly Dictionary<MethodBase, bool> _memo = new();

        public bool MakesTemporaryScalar(MethodBase method) => Makes(method, depth: 0);

        private bool Makes(MethodBase method, int depth)
        {
            if (method.DeclaringType?.Assembly != _torchSharp)
            {
                return false;
            }
            if (IsConversion(method))
            {
                return true;
            }
            if (_memo.TryGetValue(method, out bool known))
            {
                return known;
            }
            _memo[method] = false; // recursion guard
            bool makes = depth < 6 && Callees(method).Any(c => IsConversion(c) && !ReturnsScalar(method) || !IsConversion(c) && !c.IsVirtual && Makes(c, depth + 1));
            _memo[method] = makes;
            return makes;
        }

        /// <summary>Scalar's implicit conversions from numbers and the ToScalar extensions.</summary>
        private static bool IsConversion(MethodBase m) =>
            (m.DeclaringType == typeof(Scalar) && m.Name == "op_Implicit") ||
            (m.DeclaringType?.Name == "ScalarExtensionMethods" && m.Name == "ToScalar");

        /// <summary>A method returning a Scalar hands it to its caller, which then owns it (our Scalars does this).</summary>
        private static bool ReturnsScalar(MethodBase m) => m is MethodInfo info && info.ReturnType == typeof(Scalar);
    }
}
