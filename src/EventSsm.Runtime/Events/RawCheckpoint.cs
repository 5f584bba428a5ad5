namespace EventSsm.Events;

/// <summary>
/// One resume point of a <see cref="RawTimeIndex"/>: the decoder state at a word boundary
/// (<see cref="RawDecoderState.Position"/> is the byte offset), the index of the first event decoded from there, the
/// running maximum of the times before it, and the sorted (running-maximum) time of that event
/// (<see cref="long.MaxValue"/> when no event follows).
/// </summary>
internal readonly record struct RawCheckpoint(RawDecoderState State, long EventIndex, long RunningMaxUs, long FirstTimeUs);
