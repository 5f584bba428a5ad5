using EventSsm.Detections;
using TorchSharp;
using static TorchSharp.torch;

namespace EventSsm.Model.Head;

/// <summary>
/// Head outputs as tensors into the runtime's one postprocess (<see cref="Detections.Postprocess"/>): the tensor is
/// copied to the host as float32 and decoded there, so the TorchSharp and ONNX paths give the same detections.
/// </summary>
public static class TensorPostprocess
{
    /// <param name="decoded">Head output (N, A, 5 + nc): [cx, cy, w, h, sigmoid obj, sigmoid cls…].</param>
    /// <returns>Per frame, the detections in descending score order (empty when none survive).</returns>
    public static IReadOnlyList<Detection>[] Run(Tensor decoded, double confidenceThreshold = Postprocess.DefaultConfidenceThreshold,
        double nmsThreshold = Postprocess.DefaultNmsThreshold)
    {
        if (decoded.dim() != 3 || decoded.shape[2] < 6)
        {
            throw new ArgumentException($"Expected head outputs of shape (N, A, 5 + num_classes), got ({string.Join(", ", decoded.shape)}).", nameof(decoded));
        }
        using Tensor host = decoded.detach().to(float32).cpu().contiguous();
        return Postprocess.Run(host.data<float>().ToArray(), (int)decoded.shape[0], (int)decoded.shape[1], (int)decoded.shape[2],
            confidenceThreshold, nmsThreshold);
    }
}
