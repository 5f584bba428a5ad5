using EventSsm.Export.Proto;
using Google.Protobuf;

namespace EventSsm.Export;

/// <summary>A node attribute: an int, a float, a string or a list of ints/floats (the kinds the exporter uses).</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? Text = null,
    long[]? Ints = null, float[]? Floats = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, string value) => new(name, Text: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    public static OnnxAttribute Of(string name, params float[] values) => new(name, Floats: values);

    public AttributeProto ToProto()
    {
        var a = new AttributeProto { Name = Name };
        if (Int is long i)
        {
            a.Type = AttributeProto.Types.AttributeType.Int;
            a.I = i;
        }
        else if (Float is float f)
        {
            a.Type = AttributeProto.Types.AttributeType.Float;
            a.F = f;
        }
        else if (Text is string s)
        {
            a.Type = AttributeProto.Types.AttributeType.String;
            a.S = ByteString.CopyFromUtf8(s);
        }
        else if (Ints is long[] ints)
        {
            a.Type = AttributeProto.Types.AttributeType.Ints;
            a.Ints.AddRange(ints);
        }
        else if (Floats is float[] floats)
        {
            a.Type = AttributeProto.Types.AttributeType.Floats;
            a.Floats.AddRange(floats);
        }
        else
        {
            throw new InvalidOperationException($"attribute '{Name}' has no value");
        }
        return a;
    }
}
