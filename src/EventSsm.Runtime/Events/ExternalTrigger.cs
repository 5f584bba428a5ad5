namespace EventSsm.Events;

/// <summary>
/// An external trigger edge (docs/FORMATS.md §3): time (µs), polarity (1 rising, 0 falling) and the
/// trigger channel. Metavision writes them to .raw streams (EXT_TRIGGER words) and HDF5 files (/EXT_TRIGGER/events).
/// </summary>
public readonly record struct ExternalTrigger(long T, byte Polarity, int Id);
