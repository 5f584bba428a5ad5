using System.Runtime.ExceptionServices;

namespace EventSsm.Tests;

/// <summary>Runs one fuzz case on its own thread so that a hang fails the test instead of stalling the suite.</summary>
internal static class FuzzCase
{
    /// <summary>A hang guard, not a speed target: generous so that a loaded CI machine cannot trip it.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public static void Run(int index, Action body)
    {
        Task task = Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        bool finished;
        try
        {
            finished = task.Wait(Limit);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        Assert.True(finished, $"fuzz case {index} did not finish within {Limit.TotalSeconds:F0} s: a reader hangs on this input");
    }
}
