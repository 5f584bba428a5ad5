namespace EventSsm.Rendering;

/// <summary>Names and colours of the classes, as in <c>scripts/viz/viz_gt.py</c> (car yellow, pedestrian blue, two-wheeler cyan).</summary>
public sealed record ClassStyle(IReadOnlyList<string> Names, IReadOnlyList<Rgb> Colors)
{
    private static readonly Rgb s_yellow = new(255, 255, 0);
    private static readonly Rgb s_blue = new(0, 0, 255);
    private static readonly Rgb s_cyan = new(0, 255, 255);

    /// <summary>Gen1: 0 car, 1 pedestrian.</summary>
    public static readonly ClassStyle Gen1 = new(["car", "pedestrian"], [s_yellow, s_blue]);

    /// <summary>Gen4 (1 Mpx) after the class filter: 0 pedestrian, 1 two-wheeler, 2 car.</summary>
    public static readonly ClassStyle Gen4 = new(["pedestrian", "two-wheeler", "car"], [s_blue, s_cyan, s_yellow]);

    // Colours of the 6×6×6 GIF cube, so GIFs keep them exactly; none is the event red or blue.
    private static readonly Rgb[] s_extra = [new(255, 0, 255), new(0, 255, 0), new(255, 153, 0), new(153, 51, 255), new(0, 153, 102)];

    /// <summary>
    /// The style of any class list (a dataset's <c>classes</c>): the original's colour for a class it names (car,
    /// pedestrian, two-wheeler), the other classes the unused colours of the GIF cube in order, so gen1 and gen4 look
    /// as before and a class keeps its colour across datasets where it can.
    /// </summary>
    public static ClassStyle ForNames(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var colors = new Rgb?[names.Count];
        var used = new HashSet<Rgb>();
        for (int i = 0; i < names.Count; i++)
        {
            Rgb? known = names[i] switch
            {
                "car" => s_yellow,
                "pedestrian" => s_blue,
                "two-wheeler" => s_cyan,
                _ => null,
            };
            if (known is Rgb c && used.Add(c))
            {
                colors[i] = c;
            }
        }
        Rgb[] palette = [.. new[] { s_yellow, s_blue, s_cyan }.Concat(s_extra).Where(c => !used.Contains(c))];
        int next = 0;
        for (int i = 0; i < names.Count; i++)
        {
            colors[i] ??= palette[next++ % palette.Length];
        }
        return new ClassStyle([.. names], [.. colors.Select(c => c!.Value)]);
    }

    /// <summary>The name of <paramref name="classId"/>, or <c>class&lt;id&gt;</c> beyond the known names.</summary>
    public string Name(uint classId) => classId < Names.Count ? Names[(int)classId] : $"class{classId}";

    /// <summary>
    /// The colour of <paramref name="classId"/>; ids beyond the known colours cycle through extra GIF-safe colours.
    /// </summary>
    public Rgb Color(uint classId) =>
        classId < Colors.Count ? Colors[(int)classId] : s_extra[(int)((classId - Colors.Count) % s_extra.Length)];
}
