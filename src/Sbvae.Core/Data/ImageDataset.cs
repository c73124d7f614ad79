namespace Sbvae.Data;

/// <summary>
/// Images with their ground-truth factors, all in memory: pixels (N, H, W, C) uint8 and,
/// per image, F factor values and 0-based factor classes (the classes index the factor grid
/// that metrics sample from).
/// </summary>
public sealed partial class ImageDataset : IImageStore
{
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    /// <summary>3 for RGB, 1 for dSprites-style greyscale.</summary>
    public int Channels { get; }
    /// <summary>(N, H, W, C) row-major, 0..255.</summary>
    public byte[] Pixels { get; }
    public string[] FactorNames { get; }
    public int NumFactors => FactorNames.Length;
    /// <summary>(N, F) row-major.</summary>
    public double[] FactorValues { get; }
    /// <summary>(N, F) row-major, 0-based class per factor.</summary>
    public long[] FactorClasses { get; }
    /// <summary>Distinct classes per factor, taken as the largest class + 1.</summary>
    public int[] FactorSizes { get; }
    /// <summary>Factors with more than one class: the ones a representation can be asked to capture.</summary>
    public int[] VaryingFactors { get; }

    public int ImageBytes => Height * Width * Channels;

    /// <summary>
    /// The procedural generator that made the set and can render any factor combination again
    /// (<see cref="DatasetGenerators"/>), or null; stored as the npz member 'generator'.
    /// </summary>
    public string? Generator { get; init; }

    readonly Lazy<Dictionary<long[], int>> rowByClasses;

    public ImageDataset(int count, int height, int width, int channels, byte[] pixels, string[] factorNames,
        double[] factorValues, long[] factorClasses)
    {
        if (count < 0 || height < 1 || width < 1)
            throw new ArgumentException($"bad dataset dimensions: {count} images of {height}×{width}");
        if (channels is not (1 or 3))
            throw new ArgumentException($"images need 1 or 3 channels, not {channels}", nameof(channels));
        if (pixels.LongLength != (long)count * height * width * channels)
            throw new ArgumentException(
                $"{pixels.LongLength} pixel bytes do not match {count}×{height}×{width}×{channels}", nameof(pixels));
        int f = factorNames.Length;
        if (factorValues.LongLength != (long)count * f || factorClasses.LongLength != (long)count * f)
            throw new ArgumentException(
                $"factor arrays must hold {count}×{f} entries (values {factorValues.Length}, classes {factorClasses.Length})");
        var sizes = new int[f];
        for (int i = 0; i < factorClasses.Length; i++)
        {
            long c = factorClasses[i];
            if (c < 0 || c >= int.MaxValue)
                throw new ArgumentException($"factor class {c} of '{factorNames[i % f]}' is out of range", nameof(factorClasses));
            sizes[i % f] = Math.Max(sizes[i % f], (int)c + 1);
        }
        Count = count; Height = height; Width = width; Channels = channels;
        Pixels = pixels;
        FactorNames = factorNames;
        FactorValues = factorValues;
        FactorClasses = factorClasses;
        FactorSizes = sizes;
        VaryingFactors = Enumerable.Range(0, f).Where(j => sizes[j] > 1).ToArray();
        rowByClasses = new Lazy<Dictionary<long[], int>>(BuildIndex);
    }

    /// <summary>The reference "circles" dataset (3675 images), generated in memory.</summary>
    public static ImageDataset Reference() => SpriteGenerator.Generate(new SpriteSpec());

    /// <summary>The dataset at <paramref name="path"/> (an .npz or a folder of images), or the reference one when no path is given.</summary>
    public static ImageDataset LoadOrReference(string? path, ImageFolderSettings? folder = null)
    {
        if (path is null) return Reference();
        if (Directory.Exists(path)) return ImageFolder.Load(path, null, folder);
        if (!Shapes3D.IsHdf5(path)) return Load(path);
        return Shapes3D.Open(path, long.MaxValue) as ImageDataset
            ?? throw new SbvaeException($"'{path}' is too large to hold in memory, which this command still needs");
    }

    /// <summary>The row whose factor classes equal <paramref name="classes"/> (first such row), or −1.</summary>
    public int IndexOf(long[] classes)
    {
        if (classes.Length != NumFactors)
            throw new ArgumentException($"expected {NumFactors} factor classes, got {classes.Length}", nameof(classes));
        return rowByClasses.Value.TryGetValue(classes, out int row) ? row : -1;
    }

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageBytes, ImageBytes);

    public ReadOnlySpan<long> Classes(int index) => FactorClasses.AsSpan(index * NumFactors, NumFactors);

    Dictionary<long[], int> BuildIndex()
    {
        var index = new Dictionary<long[], int>(Count, ClassesComparer.Instance);
        for (int i = 0; i < Count; i++)
            index.TryAdd(Classes(i).ToArray(), i);
        return index;
    }

    sealed class ClassesComparer : IEqualityComparer<long[]>
    {
        public static readonly ClassesComparer Instance = new();
        public bool Equals(long[]? a, long[]? b) => a.AsSpan().SequenceEqual(b);
        public int GetHashCode(long[] a)
        {
            var h = new HashCode();
            foreach (long v in a) h.Add(v);
            return h.ToHashCode();
        }
    }
}
