using SkiaSharp;

namespace Sbvae.Figures;

/// <summary>
/// Typefaces for labels drawn by hand. SkiaSharp's default face is a serif; a sans face
/// reads better at small sizes, so take the first one installed and fall back to the
/// default so that text still renders wherever any font exists.
/// </summary>
internal static class Fonts
{
    static readonly string[] SansFamilies = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans"];

    static readonly Lazy<SKTypeface> regular = new(() => Pick(SKFontStyle.Normal));
    static readonly Lazy<SKTypeface> bold = new(() => Pick(SKFontStyle.Bold));

    /// <summary>Family name to hand to ScottPlot so plots and hand-drawn labels match.</summary>
    public static string Family => regular.Value.FamilyName;

    public static SKFont Regular(float size) => Make(regular.Value, size);
    public static SKFont Bold(float size) => Make(bold.Value, size);

    static SKFont Make(SKTypeface face, float size) =>
        new(face, size) { Edging = SKFontEdging.Antialias, Subpixel = true };

    static SKTypeface Pick(SKFontStyle style)
    {
        foreach (string name in SansFamilies)
        {
            // FromFamilyName silently substitutes another family when the name is missing.
            SKTypeface? face = SKTypeface.FromFamilyName(name, style);
            if (face is not null && face.FamilyName == name) return face;
            face?.Dispose();
        }
        return SKTypeface.FromFamilyName(null, style) ?? SKTypeface.Default;
    }
}
