namespace EventSsm.Model.Backbone;

/// <summary>MaxViT token partition (docs/MODEL.md §3.1).</summary>
public enum PartitionType
{
    /// <summary>Non-overlapping local windows of partition_size pixels.</summary>
    Window,

    /// <summary>A sparse grid of partition_size tokens spaced (H/ph, W/pw) apart.</summary>
    Grid,
}
