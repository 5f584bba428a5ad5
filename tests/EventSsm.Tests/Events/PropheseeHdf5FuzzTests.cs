using EventSsm.Events;
using EventSsm.IO.Hdf5;
using PureHDF.VOL.Native;

namespace EventSsm.Tests.Events;

/// <summary>Mutated Metavision HDF5 files: a clean read of valid events or a one-line error naming the file.</summary>
public sealed class PropheseeHdf5FuzzTests
{
    [Theory]
    [InlineData(PropheseeHdf5ReaderTests.PipelineStyle, 2000)]   // direct chunk reads: ECF, unfiltered and padded chunks
    [InlineData(PropheseeHdf5ReaderTests.PipelineLatest, 1000)]  // through PureHDF and the ECF filter
    public void MutatedFiles_ReadCleanlyOrFailWithOneLine(string name, int cases)
    {
        string source = PropheseeHdf5ReaderTests.PathOf(name);
        byte[] seed = File.ReadAllBytes(source);
        (int Start, int Length)[] chunks = ChunkRanges(source);
        // Mostly inside the ECF blocks (their headers and codes), sometimes anywhere (HDF5 metadata).
        int Position(Random rng)
        {
            if (rng.Next(4) == 0)
            {
                return rng.Next(seed.Length);
            }
            (int start, int length) = chunks[rng.Next(chunks.Length)];
            return start + (rng.Next(3) == 0 ? rng.Next(16) : rng.Next(length));
        }
        FileFuzz.Outcome o = FileFuzz.Run(name, cases, seed: 17, rng => FileFuzz.Mutate(seed, rng, Position), path =>
        {
            using PropheseeHdf5Reader r = PropheseeHdf5Reader.Open(path);
            EventArray all = r.Read(0, (int)r.Count, new EventBuffer(r.Width, r.Height));
            for (int i = 0; i < all.Count; i++)
            {
                Assert.True(all.X[i] < r.Width && all.Y[i] < r.Height && all.P[i] <= 1, $"event {i} out of range");
                Assert.True(i == 0 || all.T[i] >= all.T[i - 1], $"event {i} goes back in time");
            }
            if (r.Count > 0)
            {
                long t = all.T[all.Count / 2];
                Assert.Equal(all.LowerBound(t), r.LowerBound(t));
            }
            r.ReadTriggers(0, (int)r.TriggerCount);
        });
        Assert.True(o.Read > cases / 20 && o.Rejected > cases / 4, $"read {o.Read}, rejected {o.Rejected}");
    }

    private static (int Start, int Length)[] ChunkRanges(string path)
    {
        using NativeFile file = Hdf5Access.Open(path);
        var d = (NativeDataset)file.Get("CD/events");
        Hdf5ChunkIndex? index = Hdf5ChunkIndex.Open(path, d);
        if (index is null)
        {
            // Extensible-array index: take the file's second half, where libhdf5 put the chunks.
            long length = new FileInfo(path).Length;
            return [((int)(length / 2), (int)(length / 2))];
        }
        return index.Chunks.Select(c => ((int)c.Address, (int)c.Size)).ToArray();
    }
}
