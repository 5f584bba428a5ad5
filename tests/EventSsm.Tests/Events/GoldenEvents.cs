using EventSsm.Events;

namespace EventSsm.Tests.Events;

/// <summary>The golden Gen1 recording (tests/fixtures/golden/events, docs/GOLDEN.md §1),
/// decoded once per test run.</summary>
internal static class GoldenEvents
{
    private static readonly Lazy<EventArray> s_recording = new(() => DatFile.ReadAll(DatPath));

    public static string DatPath => Fixtures.Events.SynthDat;

    public static EventArray Recording => s_recording.Value;
}
