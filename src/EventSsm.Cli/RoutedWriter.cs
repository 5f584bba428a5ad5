using System.Text;

namespace EventSsm.Cli;

/// <summary>
/// A command's output writer that can be routed, line by line, elsewhere for a while: while a live progress bar is
/// drawn on the terminal, the lines a command prints must go through the same console so they appear above the bar.
/// </summary>
internal sealed class RoutedWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();
    private Action<string>? _route;

    public override Encoding Encoding => inner.Encoding;

    /// <summary>Sends whole lines to <paramref name="route"/> until the returned handle is disposed.</summary>
    public IDisposable Route(Action<string> route)
    {
        lock (_gate)
        {
            _route = route;
        }
        return new Unroute(this);
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (_route is null)
            {
                inner.Write(value);
            }
            else if (value == '\n')
            {
                _route(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            if (_route is null)
            {
                inner.Write(value);
                return;
            }
            foreach (char c in value ?? "")
            {
                Write(c);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            if (_route is null)
            {
                inner.WriteLine(value);
                return;
            }
            Write(value);
            Write('\n');
        }
    }

    public override void Flush()
    {
        lock (_gate)
        {
            inner.Flush();
        }
    }

    private sealed class Unroute(RoutedWriter writer) : IDisposable
    {
        public void Dispose()
        {
            lock (writer._gate)
            {
                if (writer._line.Length > 0)
                {
                    writer._route?.Invoke(writer._line.ToString());
                    writer._line.Clear();
                }
                writer._route = null;
            }
        }
    }
}
