namespace EventSsm.Model.Backbone;

/// <summary>
/// RVT's <c>model.backbone.stage.lstm</c> section, read only when <c>model.backbone.recurrent</c> is <c>lstm</c>.
/// Defaults are RVT's <c>model/maxvit_yolox/default.yaml</c> (no depthwise conv: a plain 1×1 conv LSTM).
/// </summary>
/// <param name="DwsConv">Adds a depthwise k×k conv before the 1×1 gate conv (key <c>conv3x3_dws.*</c>).</param>
/// <param name="DwsConvOnlyHidden">The depthwise conv sees only h (true) or the concatenation [x, h] (false).</param>
/// <param name="DwsConvKernelSize">Kernel of the depthwise conv, odd so that "same" padding k/2 keeps the map size.</param>
/// <param name="DropCellUpdate">Dropout probability on tanh(cell input), active in training mode only.</param>
public sealed record LstmOptions(
    bool DwsConv = false,
    bool DwsConvOnlyHidden = true,
    int DwsConvKernelSize = 3,
    double DropCellUpdate = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public void Validate()
    {
        if (DwsConvKernelSize < 1 || DwsConvKernelSize % 2 == 0)
        {
            throw new ArgumentException($"lstm dws_conv_kernel_size must be a positive odd number, got {DwsConvKernelSize}");
        }
        if (!(DropCellUpdate >= 0 && DropCellUpdate < 1))
        {
            throw new ArgumentException($"lstm drop_cell_update must be in [0, 1), got {DropCellUpdate}");
        }
    }
}
