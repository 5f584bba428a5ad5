namespace EventSsm.Events;

/// <summary>The event word encoding of a Prophesee Metavision .raw recording.</summary>
public enum RawEventFormat
{
    /// <summary>EVT 2.0: 32-bit words, one CD event per word.</summary>
    Evt2,

    /// <summary>EVT 2.1 as one little-endian 64-bit word: validity mask in bytes 0–3, header in bytes 4–7 (GenX320).</summary>
    Evt21,

    /// <summary>EVT 2.1 "endianness=legacy": header in bytes 0–3, validity mask in bytes 4–7 (IMX636).</summary>
    Evt21Legacy,

    /// <summary>EVT 3.0: 16-bit words, stateful, vectorised.</summary>
    Evt3,
}
