using System.Reflection;

namespace EventSsm.Rendering.Viewer;

/// <summary>
/// The viewer page's HTML, CSS and JavaScript, kept as plain files in Rendering/Viewer/Assets and embedded in the
/// assembly (no framework, nothing fetched at build or run time). <see cref="Page"/> inlines the CSS and the script
/// into the HTML, leaving the <c>@TITLE@</c> and <c>@DATA@</c> markers for <see cref="ViewerDocument"/>.
/// </summary>
public static class ViewerAssets
{
    private const string Prefix = "EventSsm.Rendering.Viewer.";

    private static readonly Lazy<string> s_page = new(() =>
        Read("viewer.html")
            .Replace("/*@CSS@*/", Read("viewer.css"), StringComparison.Ordinal)
            .Replace("/*@JS@*/", Read("viewer.js"), StringComparison.Ordinal));

    /// <summary>The page template with its style and script inlined.</summary>
    public static string Page() => s_page.Value;

    private static string Read(string name)
    {
        Assembly assembly = typeof(ViewerAssets).Assembly;
        using Stream stream = assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"embedded viewer asset {name} is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        if (text.Contains("</script", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".js", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"viewer asset {name} must not contain </script");
        }
        return text;
    }
}
