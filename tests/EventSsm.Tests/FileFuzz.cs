using EventSsm.IO;

namespace EventSsm.Tests;

/// <summary>
/// Fuzzing of a file reader: each mutated copy is written to disk and read by <c>read</c>, on its own thread with a
/// hang guard (<see cref="FuzzCase"/>). Every outcome must be a clean read (checked by <c>read</c>) or a
/// <see cref="DataFormatException"/> whose message is one line that starts with the file's path.
/// </summary>
internal static class FileFuzz
{
    public sealed record Outcome(int Read, int Rejected);

    public static Outcome Run(string fileName, int cases, int seed, Func<Random, byte[]> mutate, Action<string> read)
    {
        var rng = new Random(seed);
        using TempDir dir = Fixtures.TempDir();
        string path = dir.File(fileName);
        int ok = 0;
        int rejected = 0;
        for (int c = 0; c < cases; c++)
        {
            File.WriteAllBytes(path, mutate(rng));
            FuzzCase.Run(c, () =>
            {
                try
                {
                    read(path);
                    ok++;
                }
                catch (DataFormatException e)
                {
                    Assert.True(e.Message.StartsWith(path + ": ", StringComparison.Ordinal), $"case {c}: the message does not name the file: {e.Message}");
                    Assert.False(e.Message.Contains('\n'), $"case {c}: the message is not one line: {e.Message}");
                    rejected++;
                }
            });
        }
        return new Outcome(ok, rejected);
    }

    /// <summary>A copy of <paramref name="seed"/> with 1–8 edits: bit flips, random bytes, cuts, insertions, a truncation.</summary>
    public static byte[] Mutate(byte[] seed, Random rng, Func<Random, int>? position = null)
    {
        var b = new List<byte>(seed);
        int edits = rng.Next(1, 9);
        for (int e = 0; e < edits && b.Count > 0; e++)
        {
            int at = Math.Min(position?.Invoke(rng) ?? rng.Next(b.Count), b.Count - 1);
            switch (rng.Next(12))
            {
                case < 5:
                    b[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case < 9:
                    b[at] = (byte)rng.Next(256);
                    break;
                case 9:
                    b.RemoveRange(at, Math.Min(b.Count - at, rng.Next(1, 9)));
                    break;
                case 10:
                    b.InsertRange(at, Enumerable.Range(0, rng.Next(1, 9)).Select(_ => (byte)rng.Next(256)));
                    break;
                default:
                    b.RemoveRange(at, b.Count - at);
                    break;
            }
        }
        return b.ToArray();
    }
}
