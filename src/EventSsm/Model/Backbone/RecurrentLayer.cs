using EventSsm.Model.Ssm;

namespace EventSsm.Model.Backbone;

/// <summary>The temporal layer at the end of every backbone stage (config key <c>model.backbone.recurrent</c>).</summary>
public enum RecurrentLayer
{
    /// <summary>The S5-ViT's <see cref="S5Block"/>, run across the whole chunk at every
    /// pixel (docs/MODEL.md §3).</summary>
    S5,

    /// <summary>RVT's <see cref="DwsConvLstm2d"/>, stepped frame by frame (docs/MODEL.md §9), for
    /// S5-vs-RNN comparisons.</summary>
    Lstm,
}
