using System.Diagnostics;
using EventSsm.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using static EventSsm.Tensors.Scalars;

namespace EventSsm.Bench;

/// <summary>
/// Times the parts of one window attention without gradients at each stage of a 256×320 input (Gen1's 8×10
/// partitions), for docs/PERFORMANCE.md "Speed to the floor": the projections, libtorch's fused attention kernel, the
/// same product as bmm-softmax-bmm, our fused kernel at inference (<see cref="FusedAttention"/>, where the CPU has
/// AVX-512), and the partition copy; then the attention core's forward and backward over a training batch, libtorch's
/// and ours (<see cref="FusedAttentionFunction"/>). Arguments: dim_head (24) and embed_dim (48) — small.
/// </summary>
public static class AttentionMicroTool
{
    public static void Run(string[] args)
    {
        torch.set_num_threads(2);
        using var scope = NewDisposeScope();
        int dimHead = Positive(args, 0, "dim_head", 24);
        int embed = Positive(args, 1, "embed_dim", 48);
        if (embed % dimHead != 0)
        {
            Console.Error.WriteLine($"attention-micro: embed_dim {embed} must be a multiple of dim_head {dimHead}");
            Environment.Exit(2);
        }
        using (torch.no_grad())
        {
            Inference(dimHead, embed);
        }
        Training(dimHead, embed);
    }

    private static void Inference(int dimHead, int embed)
    {
        (long h, long w) = (64, 80);
        for (int s = 0; s < 4; s++, h /= 2, w /= 2)
        {
            long c = embed << s;
            long heads = c / dimHead;
            long windows = h * w / 80;
            using Tensor x = randn(windows, 8, 10, c);
            using var qkv = nn.Linear(c, 3 * c);
            using var proj = nn.Linear(c, c);
            Tensor qkvOut = TokenLinear.Forward(qkv, x);
            Tensor[] parts = qkvOut.view(windows, -1, heads, 3 * dimHead).transpose(1, 2).chunk(3, 3);
            Tensor q = parts[0].contiguous(), k = parts[1].contiguous(), v = parts[2].contiguous();
            Tensor y = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]);
            Tensor yt = y.transpose(1, 2).reshape(windows, 8, 10, c);
            using Scalar scale = Owned(1.0 / Math.Sqrt(dimHead));
            Console.WriteLine($"stage {s + 1}: {windows} windows x 80 tokens, C {c}, {heads} heads");
            Time("qkv TokenLinear", () => TokenLinear.Forward(qkv, x));
            Time("qkv linear", () => nn.functional.linear(x, qkv.weight!, qkv.bias));
            Time("sdpa strided views", () => nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2]));
            Time("sdpa contiguous", () => nn.functional.scaled_dot_product_attention(q, k, v));
            Time("math bmm-softmax-bmm", () => q.matmul(k.transpose(-2, -1)).mul_(scale).softmax(-1).matmul(v));
            Time("math bmm-softmax-bmm from the qkv output, heads split and merged", () =>
                parts[0].matmul(parts[1].transpose(-2, -1)).mul_(scale).softmax(-1).matmul(parts[2]).transpose(1, 2).reshape(windows, 8, 10, c));
            if (FusedAttention.Applies(qkvOut, (int)heads, dimHead))
            {
                Time("fused kernel from the qkv output (FusedAttention)", () => FusedAttention.Forward(qkvOut, (int)heads, dimHead, 1.0 / Math.Sqrt(dimHead)));
            }
            Time("transpose back", () => y.transpose(1, 2).reshape(windows, 8, 10, c));
            Time("proj TokenLinear", () => TokenLinear.Forward(proj, yt));
            Time("window partition copy", () => x.view(1, h / 8, 8, w / 10, 10, c).permute(0, 1, 3, 2, 4, 5).contiguous());
        }
    }

    // The attention core's forward and backward over a training batch (L = 5, B = 2: ten frames), from the qkv
    // projection's output to its gradient: libtorch's unfused operators against ours (FusedAttentionFunction).
    private static void Training(int dimHead, int embed)
    {
        const int frames = 10;
        long windows = 64 * frames;
        for (int s = 0; s < 4; s++, windows /= 4)
        {
            int c = embed << s;
            int heads = c / dimHead;
            double scale = 1.0 / Math.Sqrt(dimHead);
            using Tensor qkv = randn(windows, 8, 10, 3 * c).requires_grad_(true);
            using Tensor upstream = randn(windows, 80, c);
            using Scalar scaleScalar = Owned(scale);
            Console.WriteLine($"training, stage {s + 1}: {windows} windows ({frames} frames) x 80 tokens, C {c}, {heads} heads, forward + backward");
            Time("unfused", () =>
            {
                Tensor[] parts = qkv.view(windows, -1, heads, 3 * dimHead).transpose(1, 2).chunk(3, 3);
                Tensor y = parts[0].matmul(parts[1].transpose(-2, -1)).mul_(scaleScalar).softmax(-1).matmul(parts[2])
                    .transpose(1, 2).reshape(windows, 80, c);
                y.backward([upstream]);
                return qkv.grad!;
            }, 20);
            if (FusedAttention.Fits(qkv, heads, dimHead))
            {
                Time("fused (FusedAttentionFunction)", () =>
                {
                    FusedAttentionFunction.Apply(qkv, heads, dimHead, scale).backward([upstream]);
                    return qkv.grad!;
                }, 20);
            }
        }
    }

    private static int Positive(string[] args, int index, string name, int fallback)
    {
        if (args.Length <= index)
        {
            return fallback;
        }
        if (int.TryParse(args[index], out int value) && value > 0)
        {
            return value;
        }
        Console.Error.WriteLine($"attention-micro: {name} must be a positive integer, got '{args[index]}'");
        Environment.Exit(2);
        return 0;
    }

    private static void Time(string what, Func<Tensor> f, int n = 200)
    {
        // Each call in its own scope, so that intermediate tensors (the unfused form's scores) are freed at once.
        for (int i = 0; i < Math.Min(n, 20); i++)
        {
            using DisposeScope warm = NewDisposeScope();
            f();
        }
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            using DisposeScope each = NewDisposeScope();
            f();
        }
        Console.WriteLine($"  {what,-24} {sw.Elapsed.TotalMilliseconds / n,8:F3} ms");
    }
}
