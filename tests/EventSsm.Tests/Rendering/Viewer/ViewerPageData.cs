using System.Text.Json;

namespace EventSsm.Tests.Rendering.Viewer;

/// <summary>Reads the data block of a written viewer page, as the page script does.</summary>
internal static class ViewerPageData
{
    private const string Open = "<script id=\"viewer-data\" type=\"application/json\">";

    public static JsonDocument Read(string htmlPath)
    {
        string html = File.ReadAllText(htmlPath);
        int start = html.IndexOf(Open, StringComparison.Ordinal);
        Assert.True(start >= 0, "no viewer-data block");
        start += Open.Length;
        int end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        return JsonDocument.Parse(html[start..end]);
    }
}
