namespace EventSsm.Config;

/// <summary>Hydra's override prefixes: none (key must exist), <c>+</c> (key must not exist), <c>++</c> (either).</summary>
public enum OverrideMode
{
    /// <summary><c>key=value</c>: the key must exist.</summary>
    Set,
    /// <summary><c>+key=value</c>: the key must not exist yet.</summary>
    Add,
    /// <summary><c>++key=value</c>: set or add.</summary>
    ForceAdd,
}
