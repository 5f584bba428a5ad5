using System.Text;
using EventSsm.Events;
using EventSsm.IO;
using EventSsm.IO.Hdf5;
using EventSsm.Labels;

namespace EventSsm.Tests.Events;

/// <summary>
/// Mutated files of the readers added for "your own data" (docs/FORMATS.md): text events, DSEC events.h5 (Blosc
/// lz4), DSEC-Det tracks.npy, and Blosc frames of every codec. A clean read of valid data or a one-line error.
/// </summary>
public sealed class FormatFuzzTests
{
    [Fact]
    public void MutatedCsv_ReadCleanlyOrFailWithOneLine()
    {
        var text = new StringBuilder("# width=64 height=48\nt,x,y,p\n");
        var rng = new Random(5);
        long t = 0;
        for (int i = 0; i < 300; i++)
        {
            t += rng.Next(0, 40);
            text.Append(t).Append(',').Append(rng.Next(64)).Append(',').Append(rng.Next(48)).Append(',').Append(rng.Next(2)).Append('\n');
        }
        byte[] seed = Encoding.ASCII.GetBytes(text.ToString());
        byte[] noise = ",;\t \n\r-0123456789#%.xe"u8.ToArray();
        FileFuzz.Outcome o = FileFuzz.Run("events.csv", 2000, seed: 3, rng =>
        {
            byte[] b = FileFuzz.Mutate(seed, rng);
            // Text-shaped noise too: separators, digits, signs, comment marks.
            for (int k = rng.Next(3); k > 0 && b.Length > 0; k--)
            {
                b[rng.Next(b.Length)] = noise[rng.Next(noise.Length)];
            }
            return b;
        }, path =>
        {
            using IEventReader r = EventRecording.Open(path);
            AssertValid(r.Read(0, (int)r.Count, new EventBuffer(r.Width, r.Height)));
        });
        // Most edits break a line (a non-number, a step back in time); the clean reads are edits that keep it valid.
        Assert.True(o.Read > 10 && o.Rejected > 1000, $"read {o.Read}, rejected {o.Rejected}");
    }

    [Fact]
    public void MutatedDsecEventsH5_ReadCleanlyOrFailWithOneLine()
    {
        byte[] seed = File.ReadAllBytes(DsecDetLabels.EventsPath(Fixtures.Formats.DsecSequence));
        FileFuzz.Outcome o = FileFuzz.Run("events.h5", 2000, seed: 9, rng => FileFuzz.Mutate(seed, rng,
            // Mostly in the compressed chunks (the file's second part), sometimes in the metadata.
            r => r.Next(5) == 0 ? r.Next(seed.Length) : seed.Length / 4 + r.Next(seed.Length * 3 / 4)), path =>
        {
            using IEventReader r = EventRecording.Open(path);
            AssertValid(r.Read(0, (int)r.Count, new EventBuffer(r.Width, r.Height)));
        });
        Assert.True(o.Read > 20 && o.Rejected > 1000, $"read {o.Read}, rejected {o.Rejected}");
    }

    [Fact]
    public void MutatedTracksNpy_ReadCleanlyOrFailWithOneLine()
    {
        byte[] seed = File.ReadAllBytes(DsecDetLabels.TracksPath(Fixtures.Formats.DsecSequence));
        FileFuzz.Outcome o = FileFuzz.Run("tracks.npy", 2000, seed: 4, rng => FileFuzz.Mutate(seed, rng), path =>
        {
            BoundingBox[] boxes = BoundingBoxFile.Read(path);
            BoundingBoxFile.CheckClassIds(boxes, DsecDetLabels.ClassNames, path);
        });
        Assert.True(o.Read > 100 && o.Rejected > 500, $"read {o.Read}, rejected {o.Rejected}");
    }

    [Theory]
    [InlineData("blosclz/x_c5_s1")]
    [InlineData("lz4/x_c5_s1")]
    [InlineData("zlib/x_c5_s1")]
    public void MutatedBloscFrames_DecodeOrFailCleanly(string key)
    {
        // 700 per codec (2100 frames); LZ4 also gets 2000 whole files through the DSEC test above.
        byte[] frame = BloscFrame(key);
        var rng = new Random(key.Length);
        int rejected = 0;
        for (int c = 0; c < 700; c++)
        {
            byte[] bad = FileFuzz.Mutate(frame, rng, r => r.Next(8) == 0 ? r.Next(16) : r.Next(frame.Length));
            FuzzCase.Run(c, () =>
            {
                try
                {
                    byte[] data = Blosc1Codec.Decode(bad, "f.h5");
                    Assert.Equal(Blosc1Codec.ReadValidHeader(bad).UncompressedSize, data.Length);
                }
                catch (DataFormatException e)
                {
                    Assert.StartsWith("f.h5: ", e.Message);
                    rejected++;
                }
            });
        }
        Assert.InRange(rejected, 200, 700);
    }

    private static byte[] BloscFrame(string key)
    {
        string path = Fixtures.Formats.BloscCodecs;
        using PureHDF.VOL.Native.NativeFile file = Hdf5Access.Open(path);
        Hdf5ChunkIndex.Chunk c = Hdf5ChunkIndex.Open(path, (PureHDF.VOL.Native.NativeDataset)file.Get(key))!.Chunks[0];
        return File.ReadAllBytes(path).AsSpan((int)c.Address, (int)c.Size).ToArray();
    }

    private static void AssertValid(EventArray e)
    {
        for (int i = 0; i < e.Count; i++)
        {
            Assert.True(e.X[i] < e.Width && e.Y[i] < e.Height && e.P[i] <= 1, $"event {i} out of range");
            Assert.True(i == 0 || e.T[i] >= e.T[i - 1], $"event {i} goes back in time");
        }
    }
}
