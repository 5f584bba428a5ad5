using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using EventSsm.IO;

namespace EventSsm.Checkpoints.Pickle;

/// <summary>
/// A minimal, non-executing unpickler for the binary opcodes (protocols 2–5) that <c>torch.save</c> emits.
/// Values map to .NET as: None → null, bool, int → long (BigInteger beyond 64 bits), float → double,
/// str → string, bytes → byte[], tuple → object?[], list → List&lt;object?&gt;, dict → <see cref="PickleDict"/>,
/// class references → <see cref="PickleGlobal"/>. Calls (REDUCE / NEWOBJ) go to a resolver that builds only
/// whitelisted values; everything else becomes an inert <see cref="PickleObject"/>.
/// </summary>
public sealed class PickleReader
{
    private static readonly object s_mark = new();

    private readonly byte[] _data;
    private readonly string _fileName;
    private readonly IPickleResolver _resolver;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos;

    private PickleReader(byte[] data, string fileName, IPickleResolver resolver)
    {
        _data = data;
        _fileName = fileName;
        _resolver = resolver;
    }

    /// <summary>Reads one pickled object. <paramref name="fileName"/> only serves error messages.</summary>
    public static object? Load(byte[] data, string fileName, IPickleResolver? resolver = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new PickleReader(data, fileName, resolver ?? PickleResolver.Default).Run();
    }

    private object? Run()
    {
        while (true)
        {
            int opPos = _pos;
            byte op = ReadByte();
            try
            {
                if (Step(op))
                {
                    return PopValue();
                }
            }
            catch (DataFormatException)
            {
                throw;
            }
            catch (Exception e) when (e is InvalidCastException or ArgumentException or OverflowException
                                          or KeyNotFoundException or InvalidOperationException)
            {
                throw Error(opPos, $"opcode 0x{op:x2} could not be applied: {e.Message}", e);
            }
        }
    }

    /// <summary>Executes one opcode; returns true at STOP.</summary>
    private bool Step(byte op)
    {
        int opPos = _pos - 1;
        switch (op)
        {
            case 0x80: // PROTO
                byte proto = ReadByte();
                if (proto > 5)
                {
                    throw new UnsupportedDataException(_fileName, $"pickle protocol {proto} is not supported (at byte {opPos})");
                }
                break;
            case 0x95: // FRAME: framing is only a buffering hint
                ReadBytes(8);
                break;
            case 0x2e: // STOP
                if (_stack.Count != 1 || _marks.Count != 0)
                {
                    throw Error(opPos, $"STOP with {_stack.Count} values on the stack");
                }
                return true;
            case 0x7d: // EMPTY_DICT
                Push(new PickleDict());
                break;
            case 0x5d: // EMPTY_LIST
                Push(new List<object?>());
                break;
            case 0x29: // EMPTY_TUPLE
                Push(Array.Empty<object?>());
                break;
            case 0x8f: // EMPTY_SET: a set is kept as a list
                Push(new List<object?>());
                break;
            case 0x28: // MARK
                _marks.Push(_stack.Count);
                _stack.Add(s_mark);
                break;
            case 0x30: // POP
                PopValue();
                break;
            case 0x31: // POP_MARK
                PopMark();
                break;
            case 0x32: // DUP
                Push(PeekValue());
                break;
            case 0x4e: // NONE
                Push(null);
                break;
            case 0x88: // NEWTRUE
                Push(true);
                break;
            case 0x89: // NEWFALSE
                Push(false);
                break;
            case 0x4a: // BININT
                Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                break;
            case 0x4b: // BININT1
                Push((long)ReadByte());
                break;
            case 0x4d: // BININT2
                Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2)));
                break;
            case 0x49: // INT: a decimal line; Razorvine.Pickle (our writer) uses it beyond 32 bits, "01"/"00" are bools
                Push(ReadIntLine(opPos));
                break;
            case 0x8a: // LONG1
                Push(ReadLong(ReadByte()));
                break;
            case 0x8b: // LONG4
                Push(ReadLong(ReadLength(4, opPos)));
                break;
            case 0x47: // BINFLOAT: big-endian IEEE double
                Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                break;
            case 0x58: // BINUNICODE
                Push(ReadUtf8(ReadLength(4, opPos), opPos));
                break;
            case 0x8c: // SHORT_BINUNICODE
                Push(ReadUtf8(ReadByte(), opPos));
                break;
            case 0x8d: // BINUNICODE8
                Push(ReadUtf8(ReadLength(8, opPos), opPos));
                break;
            case 0x54: // BINSTRING (Python 2 str)
                Push(Encoding.Latin1.GetString(ReadBytes(ReadLength(4, opPos))));
                break;
            case 0x55: // SHORT_BINSTRING
                Push(Encoding.Latin1.GetString(ReadBytes(ReadByte())));
                break;
            case 0x42: // BINBYTES
                Push(ReadBytes(ReadLength(4, opPos)).ToArray());
                break;
            case 0x43: // SHORT_BINBYTES
                Push(ReadBytes(ReadByte()).ToArray());
                break;
            case 0x8e: // BINBYTES8
                Push(ReadBytes(ReadLength(8, opPos)).ToArray());
                break;
            case 0x96: // BYTEARRAY8
                Push(ReadBytes(ReadLength(8, opPos)).ToArray());
                break;
            case 0x85: // TUPLE1
                Push(new[] { PopValue() });
                break;
            case 0x86: // TUPLE2
            {
                object? b = PopValue();
                object? a = PopValue();
                Push(new[] { a, b });
                break;
            }
            case 0x87: // TUPLE3
            {
                object? c = PopValue();
                object? b = PopValue();
                object? a = PopValue();
                Push(new[] { a, b, c });
                break;
            }
            case 0x74: // TUPLE
                Push(PopMark());
                break;
            case 0x6c: // LIST
                Push(new List<object?>(PopMark()));
                break;
            case 0x64: // DICT
                Push(BuildDict(PopMark(), opPos));
                break;
            case 0x91: // FROZENSET
                Push(new List<object?>(PopMark()));
                break;
            case 0x61: // APPEND
            {
                object? item = PopValue();
                Append(PeekValue(), [item], opPos);
                break;
            }
            case 0x65: // APPENDS
            case 0x90: // ADDITEMS
            {
                object?[] items = PopMark();
                Append(PeekValue(), items, opPos);
                break;
            }
            case 0x73: // SETITEM
            {
                object? value = PopValue();
                object? key = PopValue();
                SetItems(PeekValue(), [key, value], opPos);
                break;
            }
            case 0x75: // SETITEMS
            {
                object?[] kv = PopMark();
                SetItems(PeekValue(), kv, opPos);
                break;
            }
            case 0x63: // GLOBAL: "module\nname\n"
            {
                string module = ReadLine(opPos);
                string name = ReadLine(opPos);
                Push(new PickleGlobal(module, name));
                break;
            }
            case 0x93: // STACK_GLOBAL
            {
                string name = PopAs<string>(opPos, "STACK_GLOBAL name");
                string module = PopAs<string>(opPos, "STACK_GLOBAL module");
                Push(new PickleGlobal(module, name));
                break;
            }
            case 0x52: // REDUCE
            {
                object?[] args = PopAs<object?[]>(opPos, "REDUCE arguments");
                PickleGlobal callable = PopAs<PickleGlobal>(opPos, "REDUCE callable");
                Push(_resolver.Call(callable, args, Context(opPos)));
                break;
            }
            case 0x81: // NEWOBJ
            {
                object?[] args = PopAs<object?[]>(opPos, "NEWOBJ arguments");
                PickleGlobal cls = PopAs<PickleGlobal>(opPos, "NEWOBJ class");
                Push(_resolver.Call(cls, args, Context(opPos)));
                break;
            }
            case 0x92: // NEWOBJ_EX: keyword arguments are dropped; the class is built from the positional ones
            {
                PopValue();
                object?[] args = PopAs<object?[]>(opPos, "NEWOBJ_EX arguments");
                PickleGlobal cls = PopAs<PickleGlobal>(opPos, "NEWOBJ_EX class");
                Push(_resolver.Call(cls, args, Context(opPos)));
                break;
            }
            case 0x62: // BUILD
            {
                object? state = PopValue();
                Build(PeekValue(), state, opPos);
                break;
            }
            case 0x51: // BINPERSID
                Push(_resolver.PersistentLoad(PopValue(), Context(opPos)));
                break;
            case 0x71: // BINPUT
                _memo[ReadByte()] = PeekValue();
                break;
            case 0x72: // LONG_BINPUT
                _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = PeekValue();
                break;
            case 0x94: // MEMOIZE
                _memo[_memo.Count] = PeekValue();
                break;
            case 0x68: // BINGET
                Push(MemoGet(ReadByte(), opPos));
                break;
            case 0x6a: // LONG_BINGET
                Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)), opPos));
                break;
            default:
                throw Error(opPos, $"unsupported or invalid pickle opcode 0x{op:x2}");
        }
        return false;
    }

    private PickleContext Context(int opPos) => new(_fileName, opPos);

    private DataFormatException Error(int offset, string reason, Exception? inner = null) =>
        new(_fileName, $"bad pickle at byte {offset}: {reason}", inner);

    private byte ReadByte()
    {
        if (_pos >= _data.Length)
        {
            throw new DataFormatException(_fileName, $"pickle truncated at byte {_pos} (no STOP opcode)");
        }
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(long n)
    {
        if (n < 0 || n > _data.Length - _pos)
        {
            throw new DataFormatException(_fileName, $"pickle truncated: {n} bytes wanted at byte {_pos}, {_data.Length - _pos} left");
        }
        ReadOnlySpan<byte> s = _data.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return s;
    }

    private long ReadLength(int width, int opPos)
    {
        long n = width == 4
            ? BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))
            : BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));
        if (n < 0 || n > _data.Length - _pos)
        {
            throw Error(opPos, $"pickle truncated: length {n} runs past the end");
        }
        return n;
    }

    private object ReadLong(long n)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(n);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private string ReadUtf8(long n, int opPos)
    {
        ReadOnlySpan<byte> bytes = ReadBytes(n);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Error(opPos, "string is not valid UTF-8", e);
        }
    }

    private object ReadIntLine(int opPos)
    {
        string text = ReadLine(opPos, "INT");
        switch (text)
        {
            case "00":
                return false;
            case "01":
                return true;
        }
        if (!BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger value))
        {
            throw Error(opPos, $"INT '{text}' is not a decimal integer");
        }
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private string ReadLine(int opPos, string what = "GLOBAL name")
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0)
        {
            throw Error(opPos, $"{what} is not newline-terminated");
        }
        string s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private void Push(object? value) => _stack.Add(value);

    private object? PeekValue()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], s_mark))
        {
            throw Error(_pos - 1, "stack underflow");
        }
        return _stack[^1];
    }

    private object? PopValue()
    {
        object? v = PeekValue();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private T PopAs<T>(int opPos, string what)
    {
        object? v = PopValue();
        if (v is T t)
        {
            return t;
        }
        throw Error(opPos, $"{what} is {Describe(v)}, expected {typeof(T).Name}");
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0)
        {
            throw Error(_pos - 1, "no MARK on the stack");
        }
        int m = _marks.Pop();
        object?[] items = _stack.GetRange(m + 1, _stack.Count - m - 1).ToArray();
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private object? MemoGet(long key, int opPos)
    {
        if (!_memo.TryGetValue(key, out object? v))
        {
            throw Error(opPos, $"memo key {key} was never stored");
        }
        return v;
    }

    private PickleDict BuildDict(object?[] kv, int opPos)
    {
        var d = new PickleDict();
        SetItems(d, kv, opPos);
        return d;
    }

    private void SetItems(object? target, object?[] kv, int opPos)
    {
        if (kv.Length % 2 != 0)
        {
            throw Error(opPos, "odd number of items for SETITEMS");
        }
        PickleDict dict = target switch
        {
            PickleDict d => d,
            PickleObject o => o.DictItems,
            _ => throw Error(opPos, $"SETITEM(S) on {Describe(target)}"),
        };
        for (int i = 0; i < kv.Length; i += 2)
        {
            if (kv[i] is null)
            {
                throw new UnsupportedDataException(_fileName, $"pickle at byte {opPos}: None as a dict key is not supported");
            }
            dict.Set(kv[i]!, kv[i + 1]);
        }
    }

    private void Append(object? target, object?[] items, int opPos)
    {
        switch (target)
        {
            case List<object?> list:
                list.AddRange(items);
                break;
            case PickleObject o:
                o.ListItems.AddRange(items);
                break;
            default:
                throw Error(opPos, $"APPEND(S) on {Describe(target)}");
        }
    }

    private void Build(object? target, object? state, int opPos)
    {
        switch (target)
        {
            case PickleObject o:
                o.State = state;
                break;
            case PickleDict d:
                d.State = state;
                break;
            default:
                // A whitelisted value (e.g. a tensor record) may carry extra state; it has no meaning for us.
                if (!_resolver.Build(target, state, Context(opPos)))
                {
                    throw Error(opPos, $"BUILD on {Describe(target)}");
                }
                break;
        }
    }

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        PickleGlobal g => $"global {g}",
        string => "a str",
        object?[] t => $"a {t.Length}-tuple",
        _ => $"a {v.GetType().Name}",
    };
}
