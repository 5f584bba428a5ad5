using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Head;

/// <summary>
/// Per-anchor grid cell and stride of the YOLOX head, in anchor order: level (stride 8, 16, 32), then row-major
/// (y, x) inside the level (docs/MODEL.md §6.2). All tensors have shape (A) and dtype float32. The original caches
/// its grid once; here it is built for every input shape.
/// </summary>
public sealed record AnchorGrid(Tensor XShifts, Tensor YShifts, Tensor Strides)
{
    public long Count => XShifts.shape[0];

    /// <summary>Builds the grid for feature maps of the given (h, w) per level.</summary>
    public static AnchorGrid Create(IReadOnlyList<(long H, long W)> sizes, IReadOnlyList<int> strides, Device? device = null)
    {
        if (sizes.Count != strides.Count)
        {
            throw new ArgumentException($"{sizes.Count} feature levels but {strides.Count} strides.");
        }
        using DisposeScope scope = NewDisposeScope();
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        var ss = new List<Tensor>();
        for (int k = 0; k < sizes.Count; k++)
        {
            (long h, long w) = sizes[k];
            Tensor yv = arange(Of(0L), Of(h), One, float32, device).unsqueeze(1).expand(h, w);
            Tensor xv = arange(Of(0L), Of(w), One, float32, device).unsqueeze(0).expand(h, w);
            xs.Add(xv.reshape(-1));
            ys.Add(yv.reshape(-1));
            ss.Add(full(h * w, Of((float)strides[k]), float32, device));
        }
        return new AnchorGrid(
            cat(xs, 0).MoveToOuterDisposeScope(),
            cat(ys, 0).MoveToOuterDisposeScope(),
            cat(ss, 0).MoveToOuterDisposeScope());
    }
}
