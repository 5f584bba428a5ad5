namespace EventSsm.Config;

/// <summary>Hydra's override prefixes: none (key must exist), <c>+</c> (key must not exist), <c>++</c> (either).</summary>
public enum OverrideMode
{
    Set,
    Add,
    ForceAdd,
}
