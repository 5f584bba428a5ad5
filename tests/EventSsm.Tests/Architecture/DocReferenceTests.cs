using System.Text.RegularExpressions;

namespace EventSsm.Tests.Architecture;

/// <summary>
/// Comments cite the repository's own docs (docs/ARCHITECTURE.md "Comments and references"): every "§N" in a C# file
/// under src/, tests/ or bench/ must belong to a "docs/X.md §N" reference whose file exists and has a heading numbered
/// N; no comment may cite a document that is not in the repository, or one of our issue or session numbers.
/// </summary>
public sealed partial class DocReferenceTests
{
    private const string Section = @"\d+(?:\.\d+)*(?:[–-]\d+(?:\.\d+)*)?";
    private const string CommentBreak = @"(?:(?:///|//|\*)[ \t]*)?";

    /// <summary>Specifications whose facts were brought into docs/; citing them sends a reader outside the repo.</summary>
    private static readonly string[] s_externalDocuments =
    [
        "model_spec.md", "data_eval_spec.md", "more_formats.md", "anchors.md", "dotnet_ecosystem.md", "style.md",
        "DATA_README", "shared/docs", "shared/golden",
    ];

    /// <summary>This file holds deliberately bad references as test data for the checker.</summary>
    private static readonly string s_thisFile = nameof(DocReferenceTests) + ".cs";

    [Fact]
    public void EverySectionReferenceNamesAHeadingOfARepoDoc()
    {
        string root = RepoRoot();
        var cache = new Dictionary<string, DocHeadings?>(StringComparer.Ordinal);
        string[] problems = SourceFiles(root)
            .SelectMany(path => SectionProblems(Relative(root, path), File.ReadAllText(path),
                doc => Headings(root, doc, cache)))
            .ToArray();
        Assert.True(problems.Length == 0, "unresolvable § references:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void NoSourceFileCitesADocumentOutsideTheRepository()
    {
        string root = RepoRoot();
        var cache = new Dictionary<string, DocHeadings?>(StringComparer.Ordinal);
        string[] problems = SourceFiles(root)
            .SelectMany(path => DocumentProblems(Relative(root, path), File.ReadAllText(path),
                doc => Headings(root, doc, cache)))
            .ToArray();
        Assert.True(problems.Length == 0, "citations a reader of the repository cannot follow:\n"
            + string.Join("\n", problems));
    }

    [Fact]
    public void TheCheckerRejectsWhatItShould()
    {
        DocHeadings model = DocHeadings.Parse(
            "# Model\n## 3. Backbone\n### 3.4 State carrying\n```\n## 9. in a code block\n```\n");
        Func<string, DocHeadings?> lookup = doc => doc == "docs/MODEL.md" ? model : null;

        Assert.Empty(SectionProblems("a.cs", "/// x (docs/MODEL.md §3.4, §3) and docs/MODEL.md\n/// §3–3.4.", lookup));
        Assert.Single(SectionProblems("a.cs", "// the window of §3.4", lookup));          // names no doc
        Assert.Single(SectionProblems("a.cs", "// model_spec.md §3.4", lookup));         // not a repo doc
        Assert.Single(SectionProblems("a.cs", "// docs/MODEL.md §4.2", lookup));         // no such heading
        Assert.Single(SectionProblems("a.cs", "// docs/MODEL.md §9", lookup));           // only in a code block
        Assert.Single(SectionProblems("a.cs", "// docs/OTHER.md §1", lookup));           // no such file
        Assert.Single(SectionProblems("a.cs", "// docs/MODEL.md §3.4–4.1", lookup));     // range end missing

        Assert.Empty(DocumentProblems("a.cs", "// docs/MODEL.md \"Backbone\"", lookup));
        Assert.Single(DocumentProblems("a.cs", "// docs/MODEL.md \"Neck\"", lookup));    // no such heading
        Assert.Single(DocumentProblems("a.cs", "// see docs/GONE.md", lookup));
        Assert.Single(DocumentProblems("a.cs", "// data_eval_spec.md \"traps\"", lookup));
        Assert.Single(DocumentProblems("a.cs", "// skip the step (issue 7)", lookup));
        Assert.Empty(DocumentProblems("a.cs", "// as the maintainer says in RVT issue #58", lookup));
    }

    /// <summary>One message per § that is not part of a resolvable "docs/X.md §N[, §M…]" reference.</summary>
    internal static IEnumerable<string> SectionProblems(string path, string text, Func<string, DocHeadings?> headingsOf)
    {
        var covered = new List<(int Start, int End)>();
        foreach (Match chain in SectionChain().Matches(text))
        {
            covered.Add((chain.Index, chain.Index + chain.Length));
            string doc = chain.Groups["doc"].Value;
            DocHeadings? headings = headingsOf(doc);
            if (headings is null)
            {
                yield return $"{path}:{LineOf(text, chain.Index)}: {doc} does not exist";
                continue;
            }
            foreach (Capture section in chain.Groups["sec"].Captures)
            {
                foreach (string number in section.Value.Split('–', '-'))
                {
                    if (!headings.Numbers.Contains(number))
                    {
                        yield return $"{path}:{LineOf(text, section.Index)}: {doc} has no heading numbered {number}";
                    }
                }
            }
        }
        for (int i = text.IndexOf('§'); i >= 0; i = text.IndexOf('§', i + 1))
        {
            int at = i;
            if (!covered.Exists(c => c.Start <= at && at < c.End))
            {
                yield return $"{path}:{LineOf(text, i)}: a § that names no docs/ file: {LineText(text, i).Trim()}";
            }
        }
    }

    /// <summary>
    /// Citations of external specifications, of docs/ files that do not exist or of quoted headings they lack, and
    /// our own issue or session numbers.
    /// </summary>
    internal static IEnumerable<string> DocumentProblems(string path, string text, Func<string, DocHeadings?> headingsOf)
    {
        foreach (string name in s_externalDocuments)
        {
            for (int i = text.IndexOf(name, StringComparison.Ordinal); i >= 0;
                 i = text.IndexOf(name, i + 1, StringComparison.Ordinal))
            {
                yield return $"{path}:{LineOf(text, i)}: cites {name}, which is not in the repository";
            }
        }
        foreach (Match number in TrackerNumber().Matches(text))
        {
            yield return $"{path}:{LineOf(text, number.Index)}: \"{number.Value}\" is bookkeeping; say what it means";
        }
        foreach (Match mention in DocMention().Matches(text))
        {
            string doc = mention.Groups["doc"].Value;
            Group title = mention.Groups["title"];
            DocHeadings? headings = headingsOf(doc);
            if (headings is null)
            {
                yield return $"{path}:{LineOf(text, mention.Index)}: {doc} does not exist";
            }
            else if (title.Success && !headings.Titles.Contains(title.Value))
            {
                yield return $"{path}:{LineOf(text, mention.Index)}: {doc} has no heading \"{title.Value}\"";
            }
        }
    }

    /// <summary>"docs/X.md §a", then more "§b" joined by ",", "/" or "and", possibly across a comment line break.</summary>
    [GeneratedRegex(@"(?<![\w/.-])(?<doc>docs/[\w/.-]+?\.md)\s+" + CommentBreak + "§(?<sec>" + Section + ")"
        + @"(?:\s*(?:,|/|\band\b)\s*" + CommentBreak + @"(?:and\s+)?§(?<sec>" + Section + "))*")]
    private static partial Regex SectionChain();

    /// <summary>Our own issue or session numbers; upstream ones such as "RVT issue #58" may be cited.</summary>
    [GeneratedRegex(@"(?<!(?:RVT|ssms_event_cameras|upstream)\s)\b(?:issue|session)\s+#?\d+", RegexOptions.IgnoreCase)]
    private static partial Regex TrackerNumber();

    /// <summary>Any "docs/X.md", with the heading title when one follows in double quotes.</summary>
    [GeneratedRegex(@"(?<![\w/.-])(?<doc>docs/[\w/.-]+?\.md)(?: ""(?<title>[^""\r\n]+)"")?")]
    private static partial Regex DocMention();

    [GeneratedRegex(@"^#{1,6}\s+(?:(?<number>\d+(?:\.\d+)*)\.?\s+)?(?<title>.+)$")]
    private static partial Regex Heading();

    /// <summary>The numbers and titles of a Markdown file's headings, outside fenced code blocks.</summary>
    internal sealed class DocHeadings
    {
        private DocHeadings(HashSet<string> numbers, HashSet<string> titles)
        {
            Numbers = numbers;
            Titles = titles;
        }

        /// <summary>"## 4. Evaluation" gives "4", "### 4.2 Which predictions" gives "4.2".</summary>
        public HashSet<string> Numbers { get; }

        /// <summary>The text after the number: "### 4.2 Which predictions" gives "Which predictions".</summary>
        public HashSet<string> Titles { get; }

        public static DocHeadings Parse(string markdown)
        {
            var numbers = new HashSet<string>(StringComparer.Ordinal);
            var titles = new HashSet<string>(StringComparer.Ordinal);
            bool inFence = false;
            foreach (string line in markdown.Split('\n'))
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                    continue;
                }
                Match heading = inFence ? Match.Empty : Heading().Match(line.TrimEnd('\r'));
                if (heading.Success)
                {
                    if (heading.Groups["number"].Success)
                    {
                        numbers.Add(heading.Groups["number"].Value);
                    }
                    titles.Add(heading.Groups["title"].Value.Trim());
                }
            }
            return new DocHeadings(numbers, titles);
        }
    }

    private static DocHeadings? Headings(string root, string doc, Dictionary<string, DocHeadings?> cache)
    {
        if (!cache.TryGetValue(doc, out DocHeadings? headings))
        {
            string path = Path.Combine(root, doc);
            headings = File.Exists(path) ? DocHeadings.Parse(File.ReadAllText(path)) : null;
            cache[doc] = headings;
        }
        return headings;
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        new[] { "src", "tests", "bench" }
            .Select(top => Path.Combine(root, top))
            .Where(Directory.Exists)
            .SelectMany(top => Directory.EnumerateFiles(top, "*.cs", SearchOption.AllDirectories))
            .Where(path => !Relative(root, path).Split('/').Any(part => part is "bin" or "obj"))
            .Where(path => Path.GetFileName(path) != s_thisFile)
            .Order(StringComparer.Ordinal);

    /// <summary>The checkout this test binary was built in: the first folder above it that holds EventSsm.sln.</summary>
    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EventSsm.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no EventSsm.sln above {AppContext.BaseDirectory}");
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private static string LineText(string text, int index)
    {
        int start = text.LastIndexOf('\n', Math.Max(index - 1, 0)) + 1;
        int end = text.IndexOf('\n', index);
        return text[start..(end < 0 ? text.Length : end)];
    }
}
