using BenchmarkDotNet.Attributes;
using EventSsm.IO.Hdf5;
using EventSsm.Representations;

namespace EventSsm.Bench;

/// <summary>
/// Blosc1/zstd on one gen1 representation chunk (20×240×304 uint8 = 1,459,200 bytes, histogram-like sparse
/// counts 0..10), and one chunk read through PureHDF from a file written by <see cref="RepresentationH5Writer"/>.
/// MB/s = 1.4592 / (mean ms) × 1000.
/// </summary>
[MemoryDiagnoser]
public class Hdf5Benchmarks
{
    private const int C = 20, H = 240, W = 304;
    private byte[] _frame = [];
    private byte[] _encoded = [];
    private byte[] _dst = [];
    private string _file = "";
    private RepresentationH5Reader? _reader;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _frame = new byte[C * H * W];
        for (int k = 0; k < _frame.Length; k += 1 + rng.Next(12))
        {
            _frame[k] = (byte)rng.Next(11);
        }
        _encoded = Blosc1Codec.Encode(_frame, 1);
        _dst = new byte[_frame.Length];
        _file = Path.Combine(Path.GetTempPath(), $"eventssm-bench-{Guid.NewGuid():N}.h5");
        RepresentationH5Writer.Write(_file, 8, C, H, W, (_, dst) => _frame.CopyTo(dst));
        _reader = RepresentationH5Reader.Open(_file);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reader?.Dispose();
        File.Delete(_file);
    }

    [Benchmark]
    public void BloscDecodeChunk() => Blosc1Codec.Decode(_encoded, _dst);

    [Benchmark]
    public byte[] BloscEncodeChunk() => Blosc1Codec.Encode(_frame, 1);

    [Benchmark]
    public void H5ReadFrame() => _reader!.ReadFrame(3, _dst);
}
