namespace Sbvae.Data;

/// <summary>Which factors are the object's position: "x" and "y" (sprite datasets) or "posX" and "posY" (dSprites).</summary>
public static class PositionFactors
{
    static readonly string[] XNames = ["x", "posX"], YNames = ["y", "posY"];

    /// <summary>The indices of the x and y factors, or null when the dataset lacks either.</summary>
    public static (int X, int Y)? Of(IReadOnlyList<string> factorNames)
    {
        int x = Find(factorNames, XNames), y = Find(factorNames, YNames);
        return x >= 0 && y >= 0 ? (x, y) : null;
    }

    static int Find(IReadOnlyList<string> names, string[] wanted)
    {
        for (int i = 0; i < names.Count; i++)
            if (wanted.Any(w => string.Equals(w, names[i], StringComparison.OrdinalIgnoreCase))) return i;
        return -1;
    }
}
