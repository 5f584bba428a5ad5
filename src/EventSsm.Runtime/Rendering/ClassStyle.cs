namespace EventSsm.Rendering;

/// <summary>Names and colours of the classes, as in <c>scripts/viz/viz_gt.py</c> (car yellow, pedestrian blue, two-wheeler cyan).</summary>
public sealed record ClassStyle(IReadOnlyList<string> Names, IReadOnlyList<Rgb> Colors)
{
    /// <summary>Gen1: 0 car, 1 pedestrian.</summary>
    public static readonly ClassStyle Gen1 = new(["car", "pedestrian"], [new(255, 255, 0), new(0, 0, 255)]);

    /// <summary>Gen4 (1 Mpx) after the class filter: 0 pedestrian, 1 two-wheeler, 2 car.</summary>
    public static readonly ClassStyle Gen4 = new(["pedestrian", "two-wheeler", "car"], [new(0, 0, 255), new(0, 255, 255), new(255, 255, 0)]);

    // Colours of the 6×6×6 GIF cube, so GIFs keep them exactly; none is the event red or blue.
    private static readonly Rgb[] s_extra = [new(255, 0, 255), new(0, 255, 0), new(255, 153, 0), new(153, 51, 255), new(0, 153, 102)];

    /// <summary>The name of <paramref name="classId"/>, or <c>class&lt;id&gt;</c> beyond the known names.</summary>
    public string Name(uint classId) => classId < Names.Count ? Names[(int)classId] : $"class{classId}";

    /// <summary>
    /// The colour of <paramref name="classId"/>; ids beyond the known colours cycle through extra GIF-safe colours.
    /// </summary>
    public Rgb Color(uint classId) =>
        classId < Colors.Count ? Colors[(int)classId] : s_extra[(int)((classId - Colors.Count) % s_extra.Length)];
}
