namespace EventSsm.Tests;

/// <summary>
/// Paths of committed test fixtures (tests/fixtures, copied next to the test assembly). The golden files come from the
/// original Python code; docs/GOLDEN.md says how each was made.
/// </summary>
internal static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Golden(params string[] parts) => Path.Combine([Root, "golden", .. parts]);

    /// <summary>A fresh empty directory under the system temp folder, deleted when disposed.</summary>
    public static TempDir TempDir() => new();

    /// <summary>golden/events: a synthetic gen1 recording, its labels and the original's representations of it.</summary>
    public static class Events
    {
        public static string Folder => Golden("events");

        public static string SynthDat => Golden("events", "gen1_synth_a_td.dat");

        public static string SynthH5 => Golden("events", "gen1_synth_a_td.dat.h5");

        public static string SynthLabels => Golden("events", "gen1_synth_a_bbox.npy");

        public static string Info => Golden("events", "info.json");

        public static string StackedHistogram => Golden("events", "stacked_hist.npz");

        public static string WindowEnds => Golden("events", "window_ends_us.npy");

        public static string WindowEventRanges => Golden("events", "window_event_index_range.npy");

        public static string TrainLabelFrames => Golden("events", "label_frames_train.npz");

        /// <summary>golden/events/gen4_ds2: a 1 Mpx-sized recording and its ×2-downsampled histograms.</summary>
        public static string Gen4Ds2(string file) => Golden("events", "gen4_ds2", file);
    }

    /// <summary>golden/detector_micro: a micro S5-ViT checkpoint, its config, inputs and every stage's outputs.</summary>
    public static class DetectorMicro
    {
        public static string Checkpoint => Golden("detector_micro", "model.ckpt");

        public static string Weights => Golden("detector_micro", "weights.pt");

        public static string Config => Golden("detector_micro", "config.json");

        public static string File(string name) => Golden("detector_micro", name);
    }

    /// <summary>golden/s5: S5 block weights and outputs.</summary>
    public static class S5
    {
        public static string Weights => Golden("s5", "weights.pt");
    }

    /// <summary>golden/preprocessed: raw gen1-style splits and the original's preprocessed output of them.</summary>
    public static class Preprocessed
    {
        public static string Out(params string[] parts) => Golden(["preprocessed", "out", .. parts]);

        public static string Raw(params string[] parts) => Golden(["preprocessed", "raw", .. parts]);

        public static string LabelFrames(string file) => Golden("preprocessed", "label_frames", file);
    }

    /// <summary>golden/eval: Prophesee evaluation inputs and the toolbox's results.</summary>
    public static class Eval
    {
        public static string Expected => Golden("eval", "expected.json");

        public static string File(params string[] parts) => Golden(["eval", .. parts]);
    }
    /// <summary>
    /// formats: the other event and label formats (docs/FORMATS.md), written by scripts/fixtures/make_format_fixtures.py
    /// (tests/fixtures/formats/README.md).
    /// </summary>
    public static class Formats
    {
        public static string File(params string[] parts) => Path.Combine([Root, "formats", .. parts]);

        /// <summary>Metavision HDF5 as the C++ writer lays it out: 16384-event ECF chunks, triggers, attributes.</summary>
        public static string PropheseeCppStyle => File("prophesee_cpp_style.hdf5");

        /// <summary>Through the filter pipeline: chunks of 1024, full last block, one chunk stored unfiltered.</summary>
        public static string PropheseePipelineStyle => File("prophesee_pipeline_style.hdf5");

        /// <summary>The same with an extensible-array chunk index (libver latest).</summary>
        public static string PropheseePipelineLatest => File("prophesee_pipeline_style_latest.hdf5");

        public static string BloscCodecs => File("blosc_codecs.h5");

        /// <summary>A DSEC sequence folder: events/left/events.h5 and object_detections/left/tracks.npy.</summary>
        public static string DsecSequence => File("dsec");

        public static string DsecTracksReadmeDtype => File("dsec", "tracks_readme_dtype.npy");
    }

    /// <summary>
    /// datasets: tiny raw datasets in the published layouts (docs/DATA.md §8.7), written by
    /// scripts/fixtures/make_dataset_fixtures.py with h5py + hdf5plugin.
    /// </summary>
    public static class Datasets
    {
        public static string File(params string[] parts) => Path.Combine([Root, "datasets", .. parts]);

        /// <summary>eTraM's download: train_h5_1, train_h5_2, val_h5_1, test_h5_1 and the 8-class annotation folders.</summary>
        public static string Etram => File("etram");

        /// <summary>DSEC-Det: train/val/test sequence folders with events/left/events.h5 and tracks.npy.</summary>
        public static string Dsec => File("dsec");

        /// <summary>Own recordings: .csv and EVT 2.0 .raw with _bbox.npy, 320×240, classes car and person.</summary>
        public static string Custom => File("custom");

        /// <summary>What the script wrote: events, labels and boxes per class of every sequence.</summary>
        public static string Expected => File("expected.json");
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eventssm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
