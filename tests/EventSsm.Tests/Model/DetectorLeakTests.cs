using EventSsm.Detections;
using EventSsm.IO.Numpy;
using EventSsm.Model;
using TorchSharp;
using EventSsm.Model.Head;
using EventSsm.Model.Neck;
using EventSsm.Tensors;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model;

public sealed class DetectorLeakTests
{
    [Fact]
    public void TrainStep_InsideScope_LeavesNoLiveTensors()
    {
        using YoloPafpn fpn = DetectorMicro.LoadFpn();
        using YoloXHead head = DetectorMicro.LoadHead();
        fpn.train();
        head.train();
        Tensor[] features = DetectorMicro.BackboneFeatures("chunk1").Select(t => t.DetachFromDisposeScope()).ToArray();
        using Tensor targets = NpyTensor.ReadTensor(DetectorMicro.File("train_targets.npy")).DetachFromDisposeScope();

        void Step()
        {
            using DisposeScope scope = NewDisposeScope();
            YoloXLosses losses = YoloXLoss.Compute(head.call(fpn.call(features)), targets, DetectorMicro.NumClasses);
            losses.Total.backward();
            using (no_grad())
            {
                _ = TensorPostprocess.Run(head.call(fpn.call(features)).Decoded, 0.001, 0.45);
            }
        }

        Step();
        DisposeScopeManager.Statistics.Reset();
        Step();
        Assert.Equal(0, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        foreach (Tensor f in features)
        {
            f.Dispose();
        }
    }
}
