using System.Text.Json;
using EventSsm.Rendering;
using PuppeteerSharp;

namespace EventSsm.Tests.Rendering.Viewer;

/// <summary>
/// One headless Chromium per test class: the system's browser (Debian's <c>chromium</c>, which .ci/run installs, or
/// <c>EVENTSSM_CHROMIUM</c>), driven by PuppeteerSharp over the DevTools protocol; nothing is downloaded.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    private static readonly string[] s_candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the browser is not started");

    public static string? FindExecutable()
    {
        string? env = Environment.GetEnvironmentVariable("EVENTSSM_CHROMIUM");
        return !string.IsNullOrEmpty(env) ? env : s_candidates.FirstOrDefault(File.Exists);
    }

    public async Task InitializeAsync()
    {
        string executable = FindExecutable()
            ?? throw new InvalidOperationException("no Chromium for the viewer tests: apt-get install chromium (as .ci/run does), or set EVENTSSM_CHROMIUM");
        _browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Root in CI needs --no-sandbox; the rest keeps a container's Chromium quiet and quick.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            _browser.Dispose();
        }
    }

    /// <summary>Opens <paramref name="htmlPath"/> as a file:// URL, as a double-click does, and waits for the first frame.</summary>
    public async Task<ViewerTab> OpenAsync(string htmlPath, int width = 1400, int height = 1000, string fragment = "")
    {
        IPage page = await Browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = width, Height = height });
        var tab = new ViewerTab(page);
        await page.GoToAsync(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri + fragment, WaitUntilNavigation.Load);
        await tab.RenderedAsync();
        return tab;
    }
}

/// <summary>A loaded viewer page with the console errors and uncaught exceptions it produced.</summary>
public sealed class ViewerTab : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    public ViewerTab(IPage page)
    {
        Page = page;
        page.Console += (_, e) =>
        {
            if (e.Message.Type == ConsoleType.Error)
            {
                lock (_errors)
                {
                    _errors.Add("console: " + e.Message.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (_errors)
            {
                _errors.Add("page error: " + e.Message);
            }
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Waits until the frame being drawn is on the canvas (the page's own promise) and returns nothing drawn in error.</summary>
    public async Task RenderedAsync()
    {
        await Page.EvaluateFunctionAsync("async () => { await window.eventssmViewer.rendered(); }");
        string error = await Page.EvaluateExpressionAsync<string>("document.getElementById('error').hidden ? '' : document.getElementById('error').textContent");
        Assert.True(error.Length == 0, "the page reported: " + error);
    }

    public async Task PressAsync(string key)
    {
        await Page.Keyboard.PressAsync(key);
        await RenderedAsync();
    }

    /// <summary>Sets a range input as a drag does: new value, then an input event.</summary>
    public async Task SetRangeAsync(string id, double value)
    {
        await Page.EvaluateFunctionAsync(
            "(id, v) => { const e = document.getElementById(id); e.value = String(v); e.dispatchEvent(new Event('input', { bubbles: true })); }",
            id, value);
        await RenderedAsync();
    }

    public Task<T> EvalAsync<T>(string expression) => Page.EvaluateExpressionAsync<T>(expression);

    /// <summary>The colour of canvas pixel (x, y).</summary>
    public async Task<Rgb> PixelAsync(int x, int y, string canvas = "frame")
    {
        int[] p = await Page.EvaluateFunctionAsync<int[]>(
            "(id, x, y) => Array.from(document.getElementById(id).getContext('2d').getImageData(x, y, 1, 1).data)", canvas, x, y);
        return new Rgb((byte)p[0], (byte)p[1], (byte)p[2]);
    }

    /// <summary>What the page has drawn on the frame canvas: numbers of predicted and ground-truth boxes, and tags.</summary>
    public async Task<(int Pred, int Gt, int Tags)> DrawnAsync()
    {
        JsonElement d = await Page.EvaluateExpressionAsync<JsonElement>("window.eventssmViewer.state.drawn");
        return (d.GetProperty("pred").GetInt32(), d.GetProperty("gt").GetInt32(), d.GetProperty("tags").GetInt32());
    }

    public async ValueTask DisposeAsync() => await Page.CloseAsync();
}
