using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Model.Neck;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Head;

/// <summary>
/// Decoupled YOLOX head (<c>yolo_head.py</c>, docs/MODEL.md §6.1–6.2): per level a 1×1 stem, two 3×3 BaseConvs
/// each for the class and the regression branch, and 1×1 predictors; objectness is predicted from the regression
/// features. Keys equal the original's minus <c>mdl.yolox_head.</c>.
/// </summary>
public sealed class YoloXHead : Module<Tensor[], HeadOutputs>
{
    private readonly ModuleList<BaseConv> stems;
    private readonly ModuleList<Sequential> cls_convs;
    private readonly ModuleList<Sequential> reg_convs;
    private readonly ModuleList<Conv2d> cls_preds;
    private readonly ModuleList<Conv2d> reg_preds;
    private readonly ModuleList<Conv2d> obj_preds;

    public YoloXHead(HeadOptions options) : base(nameof(YoloXHead))
    {
        options.Validate();
        Options = options;
        long hd = options.HiddenDim;
        stems = new ModuleList<BaseConv>();
        cls_convs = new ModuleList<Sequential>();
        reg_convs = new ModuleList<Sequential>();
        cls_preds = new ModuleList<Conv2d>();
        reg_preds = new ModuleList<Conv2d>();
        obj_preds = new ModuleList<Conv2d>();
        foreach (long c in options.InChannels)
        {
            stems.Add(new BaseConv(c, hd, 1));
            cls_convs.Add(Sequential(new BaseConv(hd, hd, 3), new BaseConv(hd, hd, 3)));
            reg_convs.Add(Sequential(new BaseConv(hd, hd, 3), new BaseConv(hd, hd, 3)));
            cls_preds.Add(Conv2d(hd, options.NumClasses, 1));
            reg_preds.Add(Conv2d(hd, 4, 1));
            obj_preds.Add(Conv2d(hd, 1, 1));
        }
        RegisterComponents();
        // The original calls initialize_biases(prior_prob=0.01) at the end of __init__ (focal-loss prior).
        InitializeBiases(0.01);
    }

    public HeadOptions Options { get; }

    /// <summary>Sets the class and objectness biases to −ln((1 − p)/p).</summary>
    public void InitializeBiases(double priorProb)
    {
        if (!(priorProb > 0 && priorProb < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(priorProb), priorProb, "The prior probability must lie in (0, 1).");
        }
        double b = -Math.Log((1 - priorProb) / priorProb);
        using IDisposable noGrad = no_grad();
        foreach (Conv2d conv in cls_preds.Concat(obj_preds))
        {
            conv.bias!.fill_(Of(b));
        }
    }

    /// <param name="xin">PAFPN outputs per level (N, c_k, h_k, w_k), stride order as <see cref="HeadOptions.Strides"/>.</param>
    public override HeadOutputs forward(Tensor[] xin)
    {
        if (xin.Length != Options.Strides.Length)
        {
            throw new ArgumentException($"YOLOX head expects {Options.Strides.Length} feature maps, got {xin.Length}.", nameof(xin));
        }
        using DisposeScope scope = NewDisposeScope();
        var levels = new Tensor[xin.Length];
        var sizes = new (long H, long W)[xin.Length];
        for (int k = 0; k < xin.Length; k++)
        {
            Tensor x = stems[k].call(xin[k]);
            Tensor clsOutput = cls_preds[k].call(cls_convs[k].call(x));
            Tensor regFeat = reg_convs[k].call(x);
            Tensor regOutput = reg_preds[k].call(regFeat);
            Tensor objOutput = obj_preds[k].call(regFeat);
            sizes[k] = (x.shape[2], x.shape[3]);
            // (N, 5+nc, h, w) → (N, h·w, 5+nc): row-major (y, x) anchors, as flatten(2).permute(0, 2, 1).
            levels[k] = cat([regOutput, objOutput, clsOutput], 1).flatten(2).permute(0, 2, 1);
        }
        Tensor outputs = cat(levels, 1);
        // Boxes are decoded in float32 whatever the convolutions ran in (docs/MODEL.md §11.3).
        outputs = outputs.dtype == ScalarType.Float32 ? outputs : outputs.to(ScalarType.Float32);
        AnchorGrid grid = AnchorGrid.Create(sizes, Options.Strides, outputs.device);
        Tensor grids = stack([grid.XShifts, grid.YShifts], 1);
        Tensor strides = grid.Strides.unsqueeze(1);
        // Decoding (docs/MODEL.md §6.2): xy = (raw + grid)·stride, wh = exp(raw)·stride.
        Tensor xy = outputs[.., .., 0..2].add(grids, One) * strides;
        Tensor wh = exp(outputs[.., .., 2..4]) * strides;
        Tensor logits = outputs[.., .., 4..];
        Tensor raw = cat([xy, wh, logits], 2);
        Tensor decoded = cat([xy, wh, sigmoid(logits)], 2);
        return new HeadOutputs(
            decoded.MoveToOuterDisposeScope(),
            raw.MoveToOuterDisposeScope(),
            new AnchorGrid(grid.XShifts.MoveToOuterDisposeScope(), grid.YShifts.MoveToOuterDisposeScope(), grid.Strides.MoveToOuterDisposeScope()));
    }
}
