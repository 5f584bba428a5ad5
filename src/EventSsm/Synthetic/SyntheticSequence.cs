using EventSsm.Events;
using EventSsm.Labels;

namespace EventSsm.Synthetic;

/// <summary>A simulated recording: time-sorted events and its ground-truth boxes (sorted by time, then track id).</summary>
public sealed record SyntheticSequence(EventArray Events, BoundingBox[] Labels);
