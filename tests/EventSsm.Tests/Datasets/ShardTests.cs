using EventSsm.Datasets;
using FsCheck.Xunit;

namespace EventSsm.Tests.Datasets;

/// <summary><c>--shard i/N</c> (docs/CLUSTER.md): a deterministic split whose parts together are the whole.</summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    [InlineData(" 2 / 16 ", 2, 16)]
    public void Parse_Accepts_iOverN(string text, int index, int count)
    {
        Assert.Equal(new Shard(index, count), Shard.Parse(text));
    }

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/4")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    public void Parse_RejectsOtherText(string text)
    {
        Assert.Throws<ArgumentException>(() => Shard.Parse(text));
    }

    [Property]
    public bool Shards_PartitionTheOrderedItems_AndStayBalanced(byte itemCount, byte shardCount)
    {
        int n = shardCount % 9 + 1;
        int[] items = [.. Enumerable.Range(0, itemCount)];
        List<IReadOnlyList<int>> parts = [.. Enumerable.Range(0, n).Select(i => new Shard(i, n).Select(items))];
        int[] union = [.. parts.SelectMany(p => p).Order()];
        return union.SequenceEqual(items)
            && parts.All(p => p.SequenceEqual(p.Order()))
            && parts.Max(p => p.Count) - parts.Min(p => p.Count) <= 1;
    }

    [Fact]
    public void Preprocess_ShardsIntoOneFolder_EqualTheUnshardedRunByteForByte()
    {
        using TempDir tmp = Fixtures.TempDir();
        string raw = Fixtures.Preprocessed.Raw();
        var whole = new PreprocessOptions { Dataset = TestDatasets.Gen1, Workers = 2 };
        PreprocessReport all = new Preprocessor(whole).Run(raw, tmp.File("whole"));

        var reports = new List<PreprocessReport>();
        for (int i = 0; i < 3; i++)
        {
            reports.Add(new Preprocessor(whole with { Shard = new Shard(i, 3) }).Run(raw, tmp.File("sharded")));
        }

        Assert.Equal(all.Sequences.Count, reports.Sum(r => r.Sequences.Count));
        Assert.All(reports, r => Assert.Equal(all.SequencesFound, r.SequencesFound));
        Assert.Equal(all.Sequences.Select(s => (s.Split, s.Sequence, s.Status)).Order(),
            reports.SelectMany(r => r.Sequences).Select(s => (s.Split, s.Sequence, s.Status)).Order());
        AssertSameTree(tmp.File("whole"), tmp.File("sharded"));
    }

    [Fact]
    public void Preprocess_AShardRemovesOnlyItsOwnSequencesLeftovers()
    {
        using TempDir tmp = Fixtures.TempDir();
        var options = new PreprocessOptions { Dataset = TestDatasets.Gen1, Workers = 1, Splits = ["val"] };
        // val holds 99-01-02_10-00-00_0_5000000 (shard 0/2) and 99-01-02_11-00-00_0_3000000 (shard 1/2).
        string mine = Path.Combine(tmp.Path, "val", ".tmp-99-01-02_10-00-00_0_5000000-0123456789abcdef0123456789abcdef");
        string theirs = Path.Combine(tmp.Path, "val", ".tmp-99-01-02_11-00-00_0_3000000-0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(mine);
        Directory.CreateDirectory(theirs);

        PreprocessReport report = new Preprocessor(options with { Shard = new Shard(0, 2) }).Run(Fixtures.Preprocessed.Raw(), tmp.Path);

        Assert.Equal([mine], report.RemovedTempDirs);
        Assert.True(Directory.Exists(theirs));
        Assert.Equal("99-01-02_10-00-00_0_5000000", Assert.Single(report.Sequences).Sequence);
    }

    /// <summary>The same relative file names with the same bytes.</summary>
    internal static void AssertSameTree(string expected, string actual)
    {
        string[] Files(string root) => [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
        string[] names = Files(expected);
        Assert.NotEmpty(names);
        Assert.Equal(names, Files(actual));
        foreach (string name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, name))),
                $"{name} differs");
        }
    }
}
