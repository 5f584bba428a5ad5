namespace EventSsm.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that runs its handler on the reporting thread, in order. System.Progress posts to
/// the thread pool when there is no synchronisation context (console apps), so its lines can arrive late, out of
/// order, or after the command has returned.
/// </summary>
public sealed class InlineProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
