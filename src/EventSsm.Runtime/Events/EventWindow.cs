namespace EventSsm.Events;

/// <summary>
/// The events of one window: indices [<see cref="StartIndex"/>, <see cref="EndIndex"/>) of the recording, for the
/// window that ends at <see cref="EndUs"/>. <see cref="Events"/> may share a reused buffer (see <see cref="EventWindows"/>).
/// </summary>
public sealed record EventWindow(long EndUs, long StartIndex, long EndIndex, EventArray Events);
