using System.Runtime.ExceptionServices;
using EventSsm.Training;

namespace EventSsm.Datasets;

/// <summary>
/// Reads a sequence of <see cref="BatchRequest"/>s into <see cref="SampleBatch"/>es on background worker threads and
/// hands them out in request order, so the consumer gets exactly the batches of a synchronous
/// <see cref="BatchReader.Read"/> loop (the batch is a pure function of its request) without waiting on I/O in steady
/// state. This plays the role of the original's PyTorch DataLoader workers (<c>hardware.num_workers.*</c>); with 0
/// workers every batch is read on the calling thread.
/// </summary>
/// <remarks>
/// Requests are drawn one at a time under a lock, so the request enumerator (e.g. <c>MixedBatchSampler</c>) need not
/// be thread-safe. Each worker owns its own <see cref="BatchReader"/> (and so its own HDF5 handles: PureHDF files are
/// not thread-safe). At most <c>capacity</c> batches are being read or waiting, which bounds memory to that many
/// batches besides the one the consumer holds. A failure while reading is rethrown by <see cref="Next"/> at that
/// batch's position, with its original type and message; later batches are not read.
/// </remarks>
public sealed class PrefetchingBatchSource : IDisposable
{
    private readonly object _gate = new();
    private readonly IEnumerator<BatchRequest> _requests;
    private readonly Func<BatchReader> _openReader;
    private readonly int _capacity;
    private readonly Thread[] _threads;
    private readonly Dictionary<long, (SampleBatch? Batch, ExceptionDispatchInfo? Error)> _ready = [];
    private BatchReader? _syncReader;
    private ExceptionDispatchInfo? _failure;
    private long _issued;
    private long _consumed;
    private bool _exhausted;
    private bool _stopped;

    /// <param name="requests">The batches to read, in the order they are consumed; enumerated lazily.</param>
    /// <param name="openReader">Creates a reader; called once per worker thread (once in total with 0 workers).</param>
    /// <param name="workers">Background threads; 0 reads synchronously in <see cref="Next"/>.</param>
    /// <param name="capacity">Batches read ahead at most (ignored with 0 workers); default 2 per worker, as PyTorch's
    /// DataLoader (<c>prefetch_factor</c> = 2).</param>
    public PrefetchingBatchSource(IEnumerable<BatchRequest> requests, Func<BatchReader> openReader, int workers, int? capacity = null)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(openReader);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        _capacity = capacity ?? (2 * workers);
        if (workers > 0)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_capacity, nameof(capacity));
        }
        _requests = requests.GetEnumerator();
        _openReader = openReader;
        _threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _threads[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"EventSsm batch loader {i}" };
            _threads[i].Start();
        }
    }

    public int Workers => _threads.Length;

    public int Capacity => _threads.Length == 0 ? 0 : _capacity;

    /// <summary>The next batch in request order (the caller disposes it), or null when the requests are exhausted.</summary>
    public SampleBatch? Next(CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        _failure?.Throw();
        if (_threads.Length == 0)
        {
            return NextSynchronous();
        }
        (SampleBatch? batch, ExceptionDispatchInfo? error) item;
        using (cancellation.Register(WakeAll))
        {
            lock (_gate)
            {
                while (!_ready.ContainsKey(_consumed) && !(_exhausted && _consumed >= _issued))
                {
                    cancellation.ThrowIfCancellationRequested();
                    ObjectDisposedException.ThrowIf(_stopped, this);
                    Monitor.Wait(_gate);
                }
                if (!_ready.Remove(_consumed, out item))
                {
                    return null;
                }
                _consumed++;
                Monitor.PulseAll(_gate);
            }
        }
        // Batches read past a failure stay unread, as in a synchronous loop: every later call rethrows it.
        _failure = item.error;
        _failure?.Throw();
        return item.batch;
    }

    private SampleBatch? NextSynchronous()
    {
        if (_exhausted || !_requests.MoveNext())
        {
            _exhausted = true;
            return null;
        }
        try
        {
            _syncReader ??= _openReader();
            BatchRequest r = _requests.Current;
            return _syncReader.Read(r.Slots, r.Augment);
        }
        catch (Exception ex)
        {
            _failure = ExceptionDispatchInfo.Capture(ex);
            throw;
        }
    }

    private void WorkerLoop()
    {
        BatchReader? reader = null;
        try
        {
            while (true)
            {
                long index;
                BatchRequest request;
                lock (_gate)
                {
                    while (!_stopped && !_exhausted && _issued - _consumed >= _capacity)
                    {
                        Monitor.Wait(_gate);
                    }
                    if (_stopped || _exhausted)
                    {
                        return;
                    }
                    try
                    {
                        if (!_requests.MoveNext())
                        {
                            _exhausted = true;
                            Monitor.PulseAll(_gate);
                            return;
                        }
                        request = _requests.Current;
                    }
                    catch (Exception ex)
                    {
                        Publish(_issued++, null, ExceptionDispatchInfo.Capture(ex));
                        return;
                    }
                    index = _issued++;
                }
                SampleBatch? batch = null;
                ExceptionDispatchInfo? error = null;
                try
                {
                    reader ??= _openReader();
                    batch = reader.Read(request.Slots, request.Augment);
                }
                catch (Exception ex)
                {
                    error = ExceptionDispatchInfo.Capture(ex);
                }
                lock (_gate)
                {
                    if (_stopped)
                    {
                        batch?.Dispose();
                        return;
                    }
                    Publish(index, batch, error);
                    if (error is not null)
                    {
                        return;
                    }
                }
            }
        }
        finally
        {
            reader?.Dispose();
        }
    }

    // Caller holds _gate. A failed batch ends the stream: nothing after it is read, as in a synchronous loop.
    private void Publish(long index, SampleBatch? batch, ExceptionDispatchInfo? error)
    {
        _ready[index] = (batch, error);
        if (error is not null)
        {
            _exhausted = true;
        }
        Monitor.PulseAll(_gate);
    }

    private void WakeAll()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Stops the workers (a worker in the middle of a read finishes that one batch) and frees unread batches.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
        foreach (Thread t in _threads)
        {
            t.Join();
        }
        foreach ((SampleBatch? batch, _) in _ready.Values)
        {
            batch?.Dispose();
        }
        _ready.Clear();
        _syncReader?.Dispose();
        _requests.Dispose();
    }
}
