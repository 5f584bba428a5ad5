using EventSsm.Export.Proto;

namespace EventSsm.Tests.Export;

/// <summary>
/// The structural rules <c>onnx.checker.check_model</c> enforces on a model without functions or subgraphs, checked on
/// the parsed protobuf (the onnx Python package is not available to the tests): IR version and a default-domain opset
/// import; unique, non-empty graph input, initializer, node and value names; every node input defined before use
/// (topological order) and every value defined once; typed and shaped graph inputs/outputs that exist; attributes with
/// a name and a type that matches the one field set; initializers whose data size matches their dims. Returns the
/// violations (empty when the model passes).
/// </summary>
internal static class OnnxStructure
{
    public static List<string> Violations(ModelProto model)
    {
        var errors = new List<string>();
        if (model.IrVersion < 3)
        {
            errors.Add($"ir_version {model.IrVersion} < 3");
        }
        var domains = new HashSet<string>(StringComparer.Ordinal);
        foreach (OperatorSetIdProto o in model.OpsetImport)
        {
            if (!domains.Add(o.Domain))
            {
                errors.Add($"opset domain '{o.Domain}' imported twice");
            }
        }
        if (!model.OpsetImport.Any(o => o.Domain is "" or "ai.onnx" && o.Version >= 1))
        {
            errors.Add("no default-domain opset import");
        }
        GraphProto g = model.Graph;
        if (g is null || string.IsNullOrEmpty(g.Name))
        {
            errors.Add("graph missing or unnamed");
            return errors;
        }

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto input in g.Input)
        {
            CheckValueInfo(input, "graph input", errors);
            if (!defined.Add(input.Name))
            {
                errors.Add($"graph input '{input.Name}' declared twice");
            }
        }
        foreach (TensorProto t in g.Initializer)
        {
            if (string.IsNullOrEmpty(t.Name))
            {
                errors.Add("unnamed initializer");
                continue;
            }
            if (!defined.Add(t.Name) && !g.Input.Any(i => i.Name == t.Name))
            {
                errors.Add($"initializer '{t.Name}' defined twice");
            }
            CheckTensorData(t, errors);
        }
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (NodeProto node in g.Node)
        {
            if (string.IsNullOrEmpty(node.OpType))
            {
                errors.Add($"node '{node.Name}' has no op_type");
            }
            if (!string.IsNullOrEmpty(node.Name) && !nodeNames.Add(node.Name))
            {
                errors.Add($"node name '{node.Name}' used twice");
            }
            if (!domains.Contains(node.Domain) && !(node.Domain == "" && domains.Contains("ai.onnx")))
            {
                errors.Add($"node '{node.Name}' uses domain '{node.Domain}' that is not imported");
            }
            foreach (string input in node.Input)
            {
                // An empty name is an omitted optional input.
                if (input.Length > 0 && !defined.Contains(input))
                {
                    errors.Add($"node '{node.Name}' ({node.OpType}) reads '{input}' before it is defined (not topologically sorted)");
                }
            }
            foreach (string output in node.Output)
            {
                if (output.Length > 0 && !defined.Add(output))
                {
                    errors.Add($"value '{output}' (node '{node.Name}') is defined more than once");
                }
            }
            var attributeNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (AttributeProto a in node.Attribute)
            {
                CheckAttribute(node, a, errors);
                if (!attributeNames.Add(a.Name))
                {
                    errors.Add($"node '{node.Name}' has attribute '{a.Name}' twice");
                }
            }
        }
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto output in g.Output)
        {
            CheckValueInfo(output, "graph output", errors);
            if (!outputs.Add(output.Name))
            {
                errors.Add($"graph output '{output.Name}' declared twice");
            }
            if (!defined.Contains(output.Name))
            {
                errors.Add($"graph output '{output.Name}' is never produced");
            }
        }
        var valueInfos = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto v in g.ValueInfo)
        {
            if (!valueInfos.Add(v.Name))
            {
                errors.Add($"value_info '{v.Name}' twice");
            }
        }
        return errors;
    }

    private static void CheckValueInfo(ValueInfoProto v, string what, List<string> errors)
    {
        if (string.IsNullOrEmpty(v.Name))
        {
            errors.Add($"unnamed {what}");
        }
        if (v.Type?.TensorType is not { } tensor || tensor.ElemType == 0)
        {
            errors.Add($"{what} '{v.Name}' has no tensor element type");
            return;
        }
        if (tensor.Shape is null)
        {
            errors.Add($"{what} '{v.Name}' has no shape");
            return;
        }
        foreach (TensorShapeProto.Types.Dimension d in tensor.Shape.Dim)
        {
            if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue < 0)
            {
                errors.Add($"{what} '{v.Name}' has a negative dimension");
            }
        }
    }

    private static void CheckAttribute(NodeProto node, AttributeProto a, List<string> errors)
    {
        if (string.IsNullOrEmpty(a.Name))
        {
            errors.Add($"node '{node.Name}' has an unnamed attribute");
        }
        int set = (a.F != 0 ? 1 : 0) + (a.I != 0 ? 1 : 0) + (a.S.Length > 0 ? 1 : 0) + (a.T is not null ? 1 : 0)
            + (a.Floats.Count > 0 ? 1 : 0) + (a.Ints.Count > 0 ? 1 : 0) + (a.Strings.Count > 0 ? 1 : 0);
        bool matches = a.Type switch
        {
            AttributeProto.Types.AttributeType.Float => a.I == 0 && a.S.Length == 0 && a.Floats.Count == 0 && a.Ints.Count == 0,
            AttributeProto.Types.AttributeType.Int => a.F == 0 && a.S.Length == 0 && a.Floats.Count == 0 && a.Ints.Count == 0,
            AttributeProto.Types.AttributeType.String => set == 1 && a.S.Length > 0,
            AttributeProto.Types.AttributeType.Ints => set == 1 && a.Ints.Count > 0,
            AttributeProto.Types.AttributeType.Floats => set == 1 && a.Floats.Count > 0,
            AttributeProto.Types.AttributeType.Tensor => set == 1 && a.T is not null,
            _ => false,
        };
        if (!matches || set > 1)
        {
            errors.Add($"node '{node.Name}' attribute '{a.Name}': type {a.Type} does not match the field set");
        }
    }

    private static void CheckTensorData(TensorProto t, List<string> errors)
    {
        long count = t.Dims.Aggregate(1L, (p, d) => p * d);
        int size = (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
            TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Double => 8,
            TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Bool => 1,
            _ => 0,
        };
        if (size == 0)
        {
            errors.Add($"initializer '{t.Name}' has data type {t.DataType}");
            return;
        }
        long actual = t.RawData.Length > 0 ? t.RawData.Length / size
            : t.FloatData.Count + t.Int64Data.Count + t.Int32Data.Count;
        if (actual != count || (t.RawData.Length > 0 && t.RawData.Length % size != 0))
        {
            errors.Add($"initializer '{t.Name}' holds {actual} values for dims ({string.Join(", ", t.Dims)})");
        }
    }
}
