using TorchSharp;
using EventSsm.Model.Backbone;
using EventSsm.Model.Ssm;
using EventSsm.Model;
using static TorchSharp.torch;

namespace EventSsm.Tests.Model.Backbone;

/// <summary>Parameter counts against the per-block formulas and totals of docs/MODEL.md §10.</summary>
public sealed class BackboneParameterCountTests
{
    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    [Theory]
    [InlineData(48, 24, 7.016)]   // small
    [InlineData(64, 32, 12.440)]  // base
    public void Backbone_MatchesTheSpecFormulasAndTotal(int embedDim, int dimHead, double expectedMillions)
    {
        using var backbone = new RecurrentBackbone(new BackboneOptions(embedDim: embedDim, dimHead: dimHead));
        int dimIn = 20;
        for (int i = 0; i < 4; i++)
        {
            RecurrentStage stage = backbone.Stages[i];
            long d = backbone.Options.StageDim(i);
            long k = i == 0 ? 7 : 3;
            Assert.Equal(dimIn * d * k * k + 2 * d, Count(stage.Downsample));
            Assert.Equal(24 * d * d + 28 * d, Count(stage.AttentionBlocks[0]));
            Assert.Equal(7 * d * d + 8 * d, Count(stage.S5Block));
            dimIn = (int)d;
        }
        Assert.Equal(expectedMillions, Math.Round(Count(backbone) / 1e6, 3));
    }
}
