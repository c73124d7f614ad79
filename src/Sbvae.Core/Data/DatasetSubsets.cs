namespace Sbvae.Data;

/// <summary>
/// Training sets carved out of a full factor grid for the paper's experiments: a held-out
/// region of the x–y plane, and colour made to depend on position.
/// </summary>
public static class DatasetSubsets
{
    /// <summary>The rows in <paramref name="rows"/>, in that order, as a dataset of their own (factor classes keep their grid meaning).</summary>
    public static ImageDataset Subset(this ImageDataset data, IReadOnlyList<int> rows)
    {
        int f = data.NumFactors, bytes = data.ImageBytes;
        var pixels = new byte[(long)rows.Count * bytes];
        var values = new double[rows.Count * f];
        var classes = new long[rows.Count * f];
        for (int i = 0; i < rows.Count; i++)
        {
            int r = rows[i];
            if (r < 0 || r >= data.Count) throw new ArgumentOutOfRangeException(nameof(rows), $"row {r} is outside 0..{data.Count - 1}");
            data.Image(r).CopyTo(pixels.AsSpan((int)((long)i * bytes), bytes));
            Array.Copy(data.FactorValues, (long)r * f, values, (long)i * f, f);
            Array.Copy(data.FactorClasses, (long)r * f, classes, (long)i * f, f);
        }
        return new ImageDataset(rows.Count, data.Height, data.Width, data.Channels, pixels, (string[])data.FactorNames.Clone(), values, classes);
    }

    /// <summary>Splits into the images outside <paramref name="region"/> (for training) and those inside (held out).</summary>
    public static (ImageDataset Train, ImageDataset HeldOut) SplitRegion(ImageDataset data, FactorRegion region)
    {
        int x = Factor(data, "x"), y = Factor(data, "y");
        var inside = new List<int>();
        var outside = new List<int>();
        for (int i = 0; i < data.Count; i++)
            (region.Contains(data.FactorValues[(long)i * data.NumFactors + x], data.FactorValues[(long)i * data.NumFactors + y]) ? inside : outside).Add(i);
        if (inside.Count == 0) throw new SbvaeException($"no image has its position in the held-out region {region}");
        if (outside.Count == 0) throw new SbvaeException($"every image lies in the held-out region {region}; nothing is left to train on");
        return (data.Subset(outside), data.Subset(inside));
    }

    /// <summary>
    /// Colour made to depend on horizontal position: the x axis is cut into as many equal
    /// bands as there are colours, and an image whose colour is not its band's colour is
    /// dropped with probability <paramref name="strength"/> (0 = independent, 1 = colour
    /// determined by x). Deterministic for a seed.
    /// </summary>
    public static ImageDataset DependentColour(ImageDataset data, double strength, int seed)
    {
        if (!(strength >= 0 && strength <= 1)) throw new SbvaeException($"dependence strength must be in [0, 1], got {strength}");
        int x = Factor(data, "x"), color = Factor(data, "color"), colours = data.FactorSizes[color];
        if (colours < 2) throw new SbvaeException("colour can only depend on position when there are at least two colours");
        var rng = new Random(seed);
        var keep = new List<int>();
        for (int i = 0; i < data.Count; i++)
        {
            double xv = data.FactorValues[(long)i * data.NumFactors + x];
            int band = Math.Min(colours - 1, (int)(xv * colours));
            bool matches = data.FactorClasses[(long)i * data.NumFactors + color] == band;
            if (matches || rng.NextDouble() >= strength) keep.Add(i);
        }
        return data.Subset(keep);
    }

    static int Factor(ImageDataset data, string name)
    {
        int j = Array.IndexOf(data.FactorNames, name);
        return j >= 0 ? j : throw new SbvaeException($"the dataset has no '{name}' factor (it has {string.Join(", ", data.FactorNames)})");
    }
}
