using System.Globalization;
using System.Text;

namespace EventSsm.IO.Numpy;

/// <summary>
/// Parses the Python literal subset that NumPy writes into .npy headers: dicts, lists, tuples, strings, integers,
/// True/False/None. Values come back as <see cref="Dictionary{TKey,TValue}"/> (string keys), <see cref="List{T}"/>
/// (lists and tuples, tuples flagged by <see cref="PyTuple"/>), string, long, bool or null.
/// </summary>
internal sealed class PyLiteral
{
    private readonly string _s;
    private int _i;

    private PyLiteral(string s) => _s = s;

    internal sealed class PyTuple : List<object?>
    {
    }

    public static object? Parse(string text)
    {
        var p = new PyLiteral(text);
        object? v = p.Value();
        p.SkipWs();
        if (p._i != p._s.Length)
        {
            throw new FormatException($"unexpected text after the literal at position {p._i}");
        }
        return v;
    }

    private void SkipWs()
    {
        while (_i < _s.Length && char.IsWhiteSpace(_s[_i]))
        {
            _i++;
        }
    }

    private char Peek()
    {
        SkipWs();
        if (_i >= _s.Length)
        {
            throw new FormatException("unexpected end of header");
        }
        return _s[_i];
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw new FormatException($"expected '{c}' at position {_i}, found '{_s[_i]}'");
        }
        _i++;
    }

    private object? Value()
    {
        char c = Peek();
        switch (c)
        {
            case '{':
                return Dict();
            case '[':
                return Sequence('[', ']', new List<object?>());
            case '(':
                return Sequence('(', ')', new PyTuple());
            case '\'':
            case '"':
                return Str();
            default:
                if (c == '-' || c == '+' || char.IsDigit(c))
                {
                    return Number();
                }
                return Word();
        }
    }

    private Dictionary<string, object?> Dict()
    {
        Expect('{');
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (Peek() != '}')
        {
            if (Value() is not string key)
            {
                throw new FormatException("dictionary keys must be strings");
            }
            Expect(':');
            d[key] = Value();
            if (Peek() == ',')
            {
                _i++;
            }
            else if (Peek() != '}')
            {
                throw new FormatException($"expected ',' or '}}' at position {_i}");
            }
        }
        _i++;
        return d;
    }

    private List<object?> Sequence(char open, char close, List<object?> list)
    {
        Expect(open);
        while (Peek() != close)
        {
            list.Add(Value());
            if (Peek() == ',')
            {
                _i++;
            }
            else if (Peek() != close)
            {
                throw new FormatException($"expected ',' or '{close}' at position {_i}");
            }
        }
        _i++;
        return list;
    }

    private string Str()
    {
        char q = _s[_i++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _s.Length)
            {
                throw new FormatException("unterminated string");
            }
            char c = _s[_i++];
            if (c == q)
            {
                return sb.ToString();
            }
            if (c == '\\')
            {
                if (_i >= _s.Length)
                {
                    throw new FormatException("unterminated escape");
                }
                char e = _s[_i++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', '0' => '\0', _ => e });
            }
            else
            {
                sb.Append(c);
            }
        }
    }

    private long Number()
    {
        int start = _i;
        if (_s[_i] == '-' || _s[_i] == '+')
        {
            _i++;
        }
        while (_i < _s.Length && char.IsDigit(_s[_i]))
        {
            _i++;
        }
        // NumPy < 1.? wrote long integers as "3L".
        string digits = _s[start.._i];
        if (_i < _s.Length && (_s[_i] == 'L' || _s[_i] == 'l'))
        {
            _i++;
        }
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
        {
            throw new FormatException($"invalid integer '{digits}'");
        }
        return v;
    }

    private object? Word()
    {
        int start = _i;
        while (_i < _s.Length && char.IsLetter(_s[_i]))
        {
            _i++;
        }
        string w = _s[start.._i];
        return w switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            _ => throw new FormatException($"unexpected token '{(w.Length == 0 ? _s[start].ToString() : w)}' at position {start}"),
        };
    }
}
