using TorchSharp;
using TorchSharp.Modules;
using EventSsm.Model.Ssm;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Model.Backbone;

/// <summary>
/// RVT's <c>DWSConvLSTM2d</c> (<c>models/layers/rnn.py</c>), the recurrent layer the S5 block replaced
/// (docs/MODEL.md §9): an LSTM cell per pixel whose gates come from a 1×1 conv on [x, h_prev] (NCHW), optionally after
/// a depthwise conv on h_prev or on [x, h_prev]. Keys: <c>conv1x1.{weight (4C, 2C, 1, 1), bias (4C)}</c> and, with a
/// depthwise conv, <c>conv3x3_dws.{weight, bias}</c> (RVT's Identity otherwise, which has no keys).
/// </summary>
public sealed class DwsConvLstm2d : nn.Module
{
    private readonly Conv2d? conv3x3_dws;
    private readonly Conv2d conv1x1;
    private readonly int _dim;
    private readonly bool _convOnlyHidden;
    private readonly double _dropCellUpdate;

    public DwsConvLstm2d(int dim, LstmOptions options) : base(nameof(DwsConvLstm2d))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _dim = dim;
        _convOnlyHidden = options.DwsConvOnlyHidden;
        _dropCellUpdate = options.DropCellUpdate;
        if (options.DwsConv)
        {
            int dwsDim = options.DwsConvOnlyHidden ? dim : 2 * dim;
            conv3x3_dws = Conv2d(dwsDim, dwsDim, options.DwsConvKernelSize, padding: options.DwsConvKernelSize / 2, groups: dwsDim);
        }
        conv1x1 = Conv2d(2 * dim, 4 * dim, 1);
        RegisterComponents();
    }

    public int Dim => _dim;

    /// <summary>One step: x (N, C, H, W) and (h, c) of the previous step, or null for RVT's zero state → (h, c).</summary>
    public (Tensor H, Tensor C) Forward(Tensor x, (Tensor H, Tensor C)? previous)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4 || x.shape[1] != _dim)
        {
            throw new ArgumentException($"lstm input must be (N, {_dim}, H, W), got ({string.Join(", ", x.shape)})", nameof(x));
        }
        using DisposeScope scope = NewDisposeScope();
        (Tensor hPrev, Tensor cPrev) = previous ?? (zeros_like(x), zeros_like(x));
        if (_convOnlyHidden && conv3x3_dws is not null)
        {
            hPrev = conv3x3_dws.call(hPrev);
        }
        Tensor xh = cat([x, hPrev], 1);
        if (!_convOnlyHidden && conv3x3_dws is not null)
        {
            xh = conv3x3_dws.call(xh);
        }
        Tensor mix = conv1x1.call(xh);
        // Channel order of the 4C gate conv: [forget | input | output | cell input], as RVT's tensor_split.
        Tensor gates = mix.narrow(1, 0, 3 * _dim).sigmoid();
        Tensor forget = gates.narrow(1, 0, _dim);
        Tensor input = gates.narrow(1, _dim, _dim);
        Tensor output = gates.narrow(1, 2 * _dim, _dim);
        Tensor cellInput = mix.narrow(1, 3 * _dim, _dim).tanh();
        if (_dropCellUpdate > 0)
        {
            cellInput = functional.dropout(cellInput, _dropCellUpdate, training);
        }
        Tensor c = (forget * cPrev).add(input * cellInput, One);
        Tensor h = output * c.tanh();
        return (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }
}
